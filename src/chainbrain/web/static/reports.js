/* 分析报告: a click on a report link starts a background job (POST /api/reports/jobs), the page
   polls its progress and downloads the file when it is done. Without script the link itself
   downloads (the server waits for the same job). */
(function () {
  var status = document.getElementById("report-status");
  var csrf = document.getElementById("csrf");
  if (!status || !csrf || !window.fetch) return;
  var en = document.documentElement.lang === "en";
  function say(text, bad) { status.textContent = text; status.className = bad ? "note bad" : "note"; }
  function poll(job, title) {
    fetch("/api/reports/jobs/" + job.id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.status === "done") {
          say((en ? "Done: " : "已生成：") + title);
          status.dataset.state = "done";
          window.location.href = j.file;
        } else if (j.status === "failed" || !j.status) {
          say((en ? "Failed: " : "生成失败：") + (j.error || j.detail || ""), true);
          status.dataset.state = "failed";
        } else {
          say((en ? "Writing " : "正在生成 ") + title + " — " + j.step_zh + " " + Math.round(100 * j.progress) + "%");
          status.dataset.state = "running";
          setTimeout(function () { poll(j, title); }, 600);
        }
      }).catch(function () { say(en ? "The server did not answer." : "服务器无响应。", true); });
  }
  document.querySelectorAll("a.report-link").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var q = a.getAttribute("href").split("?")[1] || "";
      say((en ? "Queued: " : "已排队：") + a.dataset.title);
      status.dataset.state = "queued";
      fetch("/api/reports/jobs?" + q, {method: "POST", credentials: "same-origin",
                                        headers: {"X-CSRF-Token": csrf.value}})
        .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (x) {
          if (x[0] !== 202) { say((en ? "Failed: " : "生成失败：") + x[1].detail, true); status.dataset.state = "failed"; return; }
          poll(x[1], a.dataset.title);
        });
    });
  });
})();
