/* 四图 pages' charts (ECharts, served locally): the chain map (tree coloured by revenue intensity,
 * local supporting rate, gap status or firm count), the technology roadmap (technologies by target
 * year), the application fields (chain → fields → segments), the regional distribution (province
 * county map) and the supply network (flows by place). Figures come from #page-data, written by the
 * server from the JSON twin (nothing is computed here; colours only). Each chart is exposed as
 * window.pageCharts[id]; body[data-charts-ready] is set when done.
 */
(function () {
  "use strict";
  var esc = window.cbHtml.esc;          // tooltips are HTML: names escaped (html.js)
  var el = document.getElementById("page-data");
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];
  window.pageCharts = {};
  function ready(v) { document.body.setAttribute("data-charts-ready", v); }
  if (!el || typeof echarts === "undefined") { ready("true"); return; }
  var D = JSON.parse(el.textContent);
  var GAP = { missing: "#c0392b", weak: "#f2b134", broken_risk: "#8e44ad", ok: "#2e8b57" };
  var GREY = "#c9d2de";

  function colourOf(n, by) {
    if (by === "gap") { return n.gap ? GAP[n.gap] || GREY : GREY; }
    var v = by === "value" ? (n.value ? 1 : 0) : n[by];
    if (v === null || v === undefined) { return GREY; }
    return "rgba(11,58,117," + (0.25 + 0.75 * Math.max(0, Math.min(1, v))).toFixed(2) + ")";
  }

  function tree(data) {
    var node = document.getElementById("chart-tree");
    if (!node) { return; }
    var leaves = 0, most = 1;
    (function count(n) {
      if (n.code && n.value > most) { most = n.value; }
      if (!n.children || !n.children.length) { leaves += 1; } else { n.children.forEach(count); }
    }(data));
    node.style.height = Math.max(620, leaves * 18) + "px";          // one label line per leaf
    var chart = echarts.init(node);
    function paint(by) {
      (function walk(n) {
        if (n.code) { var c = colourOf(n, by); n.itemStyle = { color: c, borderColor: c }; }
        (n.children || []).forEach(walk);
      }(data));
      chart.setOption({
        textStyle: { fontFamily: FONT },
        tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) {
          var d = p.data; var s = "<b>" + esc(p.name) + "</b>";
          if (d.code) {
            s += "<br>企业 / firms: " + d.value;
            s += "<br>营业收入 / revenue: " + (d.revenue === null ? "—*" : (d.revenue / 1e8).toFixed(2) + " 亿元");
            s += "<br>本地配套率 / local rate: " + (d.local_rate === null || d.local_rate === undefined ? "—" : (d.local_rate * 100).toFixed(1) + " %");
            if (d.gap) { s += "<br>状态 / gap: " + esc(d.gap); }
          }
          return s; } },
        series: [{ type: "tree", data: [data], top: "2%", left: "8%", bottom: "2%", right: "28%",
                   symbolSize: function (v, p) { var d = p.data || {};         // sized by the firm count
                     return d.code ? 6 + 14 * Math.sqrt((d.value || 0) / most) : 8; },
                   initialTreeDepth: 3, expandAndCollapse: false,
                   label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
                   leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } } }]
      }, true);
    }
    var sel = document.getElementById("colour-by");
    paint(sel ? sel.value : "heat");
    if (sel) { sel.addEventListener("change", function () { paint(sel.value); }); }
    chart.on("click", function (p) { if (p.data && p.data.href) { window.location.href = p.data.href + "#firms"; } });
    charts.push(chart);
    window.pageCharts.tree = chart;
  }

  function roadmap(rows) {
    var node = document.getElementById("chart-roadmap");
    if (!node) { return; }
    var levels = ["research", "pilot", "industrialization", "scale"];
    var names = { research: "研发", pilot: "中试", industrialization: "产业化", scale: "规模化" };
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) { var r = rows[p.dataIndex]; return "<b>" + esc(r.name) + "</b>" + (r.demo ? "（演示）" : "") + "<br>" + esc(names[r.maturity]) + " → " + esc(names[r.target_maturity]) + " · " + esc(r.target_year); } },
      xAxis: { type: "value", name: "年 / year", minInterval: 1,
               min: Math.min.apply(null, rows.map(function (r) { return r.target_year; }).concat([new Date().getFullYear()])) - 1,
               max: Math.max.apply(null, rows.map(function (r) { return r.target_year; }).concat([new Date().getFullYear()])) + 1,
               axisLabel: { formatter: function (v) { return String(v); } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name + (r.demo ? "（演示）" : ""); }) },
      series: [{ type: "scatter", symbolSize: 16,
                 data: rows.map(function (r) { return { value: [r.target_year, r.name + (r.demo ? "（演示）" : "")],
                   itemStyle: { color: ["#9db5d6", "#5b8bc6", "#2f6fb8", "#0b3a75"][levels.indexOf(r.target_maturity)] } }; }),
                 label: { show: true, position: "right", formatter: function (p) { var r = rows[p.dataIndex]; return names[r.maturity] + "→" + names[r.target_maturity]; } } }]
    });
    charts.push(chart);
    window.pageCharts.roadmap = chart;
  }

  function fields(F) {
    var node = document.getElementById("chart-fields");
    if (!node) { return; }
    var data = { name: F.chain, children: F.rows.map(function (r) {
      return { name: r.name + (r.demo ? "（演示）" : ""), code: r.code,
               children: (r.segments_text ? r.segments_text.split("、") : []).map(function (s) { return { name: s }; }) }; }) };
    var chart = echarts.init(node);
    chart.setOption({ textStyle: { fontFamily: FONT }, tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (ps) { return window.cbHtml.tip(ps); } },
      series: [{ type: "tree", data: [data], top: "4%", left: "14%", bottom: "4%", right: "30%", symbolSize: 9,
                 initialTreeDepth: 2, label: { position: "left", align: "right", verticalAlign: "middle" },
                 leaves: { label: { position: "right", align: "left", verticalAlign: "middle" } } }] });
    charts.push(chart);
    window.pageCharts.fields = chart;
  }

  function map(M) {
    var node = document.getElementById("map");
    if (!node) { return Promise.resolve(); }
    return fetch(M.geo_url).then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
      .then(function (geo) {
        echarts.registerMap("cb-province-counties", geo);
        var byCode = {};
        M.units.forEach(function (u) { byCode[u.code] = u; });
        var vals = M.units.map(function (u) { return u.value; });
        var chart = echarts.init(node);
        chart.setOption({
          textStyle: { fontFamily: FONT },
          tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) { var u = byCode[p.name]; return u ? esc(u.name) + ": " + u.value + " 家 · " + u.present + "/" + u.total + (u.absent ? " · 缺该环节 / segment absent" : "") : ""; } },
          visualMap: { min: 0, max: Math.max.apply(null, vals.concat([1])), left: 8, bottom: 8, itemHeight: 100,
                       inRange: { color: ["#f3f5f8", "#2f6fb8", "#0b3a75"] } },
          series: [{ type: "map", map: "cb-province-counties", nameProperty: "code", selectedMode: false,
                     data: M.units.map(function (u) {              // the chain is there, the segment is not
                       var item = { name: u.code, value: u.value };
                       if (u.absent) { item.itemStyle = { borderColor: "#c0392b", borderWidth: 2 }; }
                       return item; }) }]
        });
        chart.on("click", function (p) {            // an area leads to the enterprises behind its figure
          var u = byCode[p.name]; if (u) { window.location.href = u.href || ("/regions/" + p.name); } });
        charts.push(chart);
        window.pageCharts.map = chart;
      });
  }

  function flowBars(id, rows) {
    var node = document.getElementById("chart-" + id);
    if (!node) { return; }
    var shown = rows.filter(function (r) { return r.level === "place"; }).slice(0, 15).reverse();
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) { return window.cbHtml.tip(ps); } },
      xAxis: { type: "value", name: "亿元" },
      yAxis: { type: "category", data: shown.map(function (r) { return r.name; }) },
      series: [{ type: "bar", barMaxWidth: 20,
                 data: shown.map(function (r) { return { value: r.amount_yuan === null ? null : r.amount_yuan / 1e8,
                   itemStyle: { color: r.side === "local" ? "#2f6fb8" : "#f2b134" } }; }),
                 label: { show: true, position: "right", formatter: function (p) { return p.value === null || p.value === undefined ? "—*" : p.value.toFixed(2); } } }]
    });
    charts.push(chart);
    window.pageCharts[id] = chart;
  }

  document.querySelectorAll("button.toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var chart = document.getElementById(b.getAttribute("data-toggle"));
      var tbl = b.closest(".tablewrap").querySelector("table");
      if (tbl.hasAttribute("hidden")) { tbl.removeAttribute("hidden"); chart.setAttribute("hidden", ""); }
      else { tbl.setAttribute("hidden", ""); chart.removeAttribute("hidden"); }
    });
  });

  var form = document.getElementById("maps-edit");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var out = document.getElementById("edit-result");
      var rows;
      try { rows = JSON.parse(form.elements.rows.value); } catch (e) { out.textContent = "JSON: " + e.message; return; }
      fetch("/api/maps/" + form.getAttribute("data-chain") + "/" + form.getAttribute("data-kind"), {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": form.elements.csrf_token.value },
        body: JSON.stringify({ version: Number(form.getAttribute("data-version")), rows: rows }) })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (a) {
          if (a.ok) { window.location.reload(); } else { out.textContent = a.body.detail || "error"; }
        });
    });
  }

  if (D.tree) { tree(D.tree); }
  if (D.roadmap) { roadmap(D.roadmap); }
  if (D.fields) { fields(D.fields); }
  if (D.flows) { flowBars("in", D.flows["in"]); flowBars("out", D.flows.out); }
  (D.map ? map(D.map) : Promise.resolve())
    .then(function () { ready("true"); })
    .catch(function (e) { var n = document.getElementById("map"); if (n) { n.textContent = String(e); } ready("error"); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); });
}());
