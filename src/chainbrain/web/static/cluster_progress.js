/* 集群年度进展报告: save the draft, submit, approve or return through the JSON API, then reload. */
(function () {
  "use strict";
  var root = document.getElementById("progress");
  if (!root) { return; }
  var csrf = document.getElementById("csrf").value;
  var base = "/api/clusters/" + encodeURIComponent(root.getAttribute("data-cluster")) + "/progress";
  var year = parseInt(root.getAttribute("data-year"), 10);
  var err = document.querySelector("[data-testid=progress-error]");
  function post(url, body) {
    fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body || {})})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) { err.textContent = res.j.detail || "error"; err.hidden = false; return; }
        window.location.reload();
      });
  }
  var save = document.querySelector("[data-testid=save-draft]");
  if (save) {
    save.addEventListener("click", function () {
      var v = save.getAttribute("data-version");
      var body = {year: year, body: document.getElementById("progress-body").value};
      if (v) { body.version = parseInt(v, 10); }
      post(base, body);
    });
  }
  var sub = document.querySelector("[data-testid=submit-report]");
  if (sub) {
    sub.addEventListener("click", function () { post(base + "/" + sub.getAttribute("data-id") + "/submit"); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-action]"), function (b) {
    b.addEventListener("click", function () {
      var id = b.getAttribute("data-id");
      var note = document.querySelector("[data-testid=review-note-" + id + "]").value;
      post(base + "/" + id + "/review", {action: b.getAttribute("data-action"), note: note});
    });
  });
}());
