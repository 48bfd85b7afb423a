/* Import page: upload → validation report (issues, error file) → confirm → poll the job's status. */
(function () {
  "use strict";
  var up = document.getElementById("upload-form");
  var conf = document.getElementById("confirm-form");
  var box = document.getElementById("job");
  var job = null;
  var lang = new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "zh";

  function show(j) {
    job = j;
    box.hidden = false;
    document.getElementById("job-status").textContent = j.status;
    document.body.setAttribute("data-job-status", j.status);
    document.getElementById("job-step").textContent = j.step || "";
    var s = j.rows + " rows · errors " + j.errors + " · warnings " + j.warnings;
    if (j.result) { s += " — " + (lang === "en" ? j.result.summary_en : j.result.summary_zh); }
    else if (j.message) { s += " — " + j.message; }
    document.getElementById("job-summary").textContent = s;
    var a = document.getElementById("job-errors");
    if (j.error_file) { a.href = j.error_file; a.hidden = false; } else { a.hidden = true; }
    var tb = document.querySelector("#job-issues tbody");
    tb.innerHTML = "";
    j.issues.forEach(function (i) {
      var tr = document.createElement("tr");
      [i.row === null ? "" : String(i.row), i.column || "", i.severity,
       (lang === "en" ? i.message_en : i.message_zh) + (i.value ? " [" + i.value + "]" : "")].forEach(function (v) {
        var td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      tb.appendChild(tr);
    });
    conf.style.display = j.status === "done" ? "none" : "";   // imported: nothing left to confirm
    var btn = conf.querySelector("button");
    var skip = conf.querySelector("input[name=skip_invalid]").checked;
    btn.disabled = !(j.status === "valid" || (j.status === "invalid" && skip));
    if (j.status === "importing" || j.status === "validating") { setTimeout(poll, 300); }
  }

  function fail(r) { return r.json().then(function (b) { throw new Error(r.status + ": " + b.detail); }); }
  function poll() { fetch("/api/imports/" + job.id).then(function (r) { return r.ok ? r.json() : fail(r); }).then(show); }

  up.addEventListener("submit", function (ev) {
    ev.preventDefault();
    document.body.setAttribute("data-job-status", "uploading");
    fetch("/api/imports", { method: "POST", body: new FormData(up) })
      .then(function (r) { return r.ok ? r.json() : fail(r); }).then(show)
      .catch(function (e) { document.getElementById("job-summary").textContent = String(e); box.hidden = false;
                            document.body.setAttribute("data-job-status", "error"); });
  });
  document.querySelectorAll("button[data-cancel]").forEach(function (b) {
    b.addEventListener("click", function () {
      var body = new FormData();
      body.append("csrf_token", document.getElementById("history-csrf").value);
      fetch("/api/imports/" + b.getAttribute("data-cancel") + "/cancel", { method: "POST", body: body })
        .then(function (r) { return r.ok ? r.json() : fail(r); })
        .then(function () { window.location.reload(); })
        .catch(function (e) { b.replaceWith(document.createTextNode(String(e))); });
    });
  });
  conf.querySelector("input[name=skip_invalid]").addEventListener("change", function () { if (job) { show(job); } });
  conf.addEventListener("submit", function (ev) {
    ev.preventDefault();
    fetch("/api/imports/" + job.id + "/confirm", { method: "POST", body: new FormData(conf) })
      .then(function (r) { return r.ok ? r.json() : fail(r); }).then(show);
  });
}());
