"""Interface strings of the work system's pages (requests, inbox, 我的企业), merged into
:data:`chainbrain.web.i18n.STRINGS`."""

from __future__ import annotations

WORK_STRINGS: dict[str, tuple[str, str]] = {
    "nav_requests": ("企业诉求", "Requests"), "nav_inbox": ("消息", "Inbox"), "nav_my": ("我的企业", "My enterprise"),
    "requests_title": ("企业诉求", "Enterprise requests"),
    "requests_sub": ("诉求办理：受理、办理、答复、销号；逾期提级一事一议",
                     "Requests: accept, handle, answer, close (销号); overdue ones escalate (一事一议)"),
    "req_new": ("提交诉求", "Submit a request"), "req_title": ("标题", "Title"),
    "req_category": ("类别", "Category"), "req_description": ("诉求内容", "Description"),
    "req_on_behalf": ("代本链企业转呈（统一社会信用代码，可选）", "Relay for a chain enterprise (USCC, optional)"),
    "req_submit": ("提交", "Submit"), "req_status": ("状态", "Status"), "req_enterprise": ("企业", "Enterprise"),
    "req_route": ("责任单位", "Responsible unit"), "req_submitted": ("提交时间", "Submitted"),
    "req_respond_due": ("受理时限", "Respond by"), "req_resolve_due": ("办结时限", "Resolve by"),
    "req_confirm_due": ("确认期限", "Confirm by"), "req_escalated": ("已提级（一事一议）", "Escalated (一事一议)"),
    "req_overdue": ("逾期", "Overdue"), "req_answer": ("答复", "Answer"), "req_reason": ("理由", "Reason"),
    "req_rating": ("满意度（1–5 分）", "Satisfaction (1–5)"), "req_comment": ("评价意见", "Comment"),
    "req_history": ("办理记录", "History"), "req_files": ("附件", "Files"), "req_upload": ("上传附件", "Upload"),
    "req_actions": ("操作", "Actions"), "req_relayed_by": ("链主转呈", "Relayed by chain master"),
    "req_chain": ("产业链", "Chain"), "req_all": ("全部", "All"), "req_filter": ("筛选", "Filter"),
    "req_stats": ("办理统计", "Statistics"), "req_by_unit": ("按责任单位", "By unit"),
    "req_by_chain": ("按产业链", "By chain"), "req_by_city": ("按设区市", "By city"),
    "req_count": ("诉求数", "Requests"), "req_open": ("未办结", "Open"),
    "req_response_rate": ("按时受理率", "On-time response rate"),
    "req_ontime_rate": ("按时办结率", "On-time resolution rate"),
    "req_satisfaction": ("满意度（分）", "Satisfaction (points)"), "req_rated": ("评价数", "Rated"),
    "req_clock_note": ("时限以工作日计（法定节假日与调休按国务院通知）；默认受理 3 日、办结 15 日、逾期 5 日提级、答复后 5 日未确认自动销号——可配置，无文件依据。",
                       "Clocks in working days (official holidays and make-up days); defaults respond 3, resolve 15, "
                       "escalate after 5 overdue, auto-close 5 after the answer — configurable, not from a document."),
    "req_none": ("暂无诉求", "No requests"), "req_version": ("版本", "Version"),
    "req_group": ("同题共答组", "Shared-answer group"),
    "req_groups": ("同题共答（共性问题统一答复）", "Shared answers to recurring problems (同题共答)"),
    "req_group_ids": ("诉求编号（逗号分隔）", "Request numbers (comma-separated)"),
    "req_group_create": ("归并为同题共答组", "Group them"), "req_close_reason": ("销号方式", "Closed by"),
    "inbox_title": ("消息", "Inbox"), "inbox_mark_read": ("全部标为已读", "Mark all read"),
    "inbox_empty": ("没有消息", "No messages"), "inbox_unread": ("未读", "Unread"),
    "my_title": ("我的企业", "My enterprise"), "my_figures": ("本企业与所在产业链、县区对比", "My figures against my chain and county"),
    "my_requests": ("我的诉求", "My requests"), "my_relayed": ("我转呈的诉求", "Requests I relayed"),
    "my_self": ("本企业", "This enterprise"), "my_chain": ("所在产业链", "Its chain"), "my_county": ("所在县（市、区）", "Its county"),
    "my_revenue": ("营业收入（1–N 月累计）", "Revenue (YTD)"), "my_growth": ("同比增速", "YoY growth"),
    "my_no_firm": ("账号的企业不在企业库中。", "Your account's enterprise is not on file."),
    "my_todo": ("待办事项", "What you are asked to do"),
}


def install() -> None:
    from chainbrain.web.i18n import STRINGS

    for k, v in WORK_STRINGS.items():
        STRINGS.setdefault(k, v)
