/* Task pages: actions, progress reports with evidence, notices and import go to the JSON API
   (X-CSRF-Token header); a refusal or conflict shows the API's bilingual message. */
(function () {
  "use strict";
  var csrfEl = document.getElementById("csrf");
  var csrf = csrfEl ? csrfEl.value : "";
  var box = document.getElementById("task");
  var msg = document.getElementById("task-message");

  function say(text, bad) {
    var el = msg || document.getElementById("task-import-result");
    if (el) { el.textContent = text; el.className = bad ? "error" : ""; el.setAttribute("data-state", bad ? "error" : "ok"); }
  }
  function send(url, opts) {
    opts.headers = Object.assign({"X-CSRF-Token": csrf || (document.querySelector("input[name=csrf_token]") || {}).value || ""},
                                 opts.headers || {});
    opts.credentials = "same-origin";
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) { throw new Error(b.detail || String(r.status)); }
        return b;
      });
    });
  }
  function json(url, body) {
    return send(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  }
  function reload() { window.location.reload(); }

  if (box) {
    var id = box.getAttribute("data-id");
    var version = parseInt(box.getAttribute("data-version"), 10);
    document.querySelectorAll(".task-action").forEach(function (b) {
      b.addEventListener("click", function () {
        json("/api/tasks/" + id + "/" + b.getAttribute("data-action"), {version: version}).then(reload)
          .catch(function (e) { say(e.message, true); });
      });
    });
    var pf = document.getElementById("progress-form");
    if (pf) {
      pf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var fd = new FormData(pf);
        fd.append("version", String(version));
        send("/api/tasks/" + id + "/progress", {method: "POST", body: fd}).then(reload)
          .catch(function (e) { say(e.message, true); });
      });
    }
    var ef = document.getElementById("edit-form");
    if (ef) {
      ef.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var body = {version: version};
        ["lead_unit", "lead_person", "deadline"].forEach(function (k) { body[k] = ef.querySelector("[name=" + k + "]").value; });
        send("/api/tasks/" + id, {method: "PATCH", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
          .then(reload).catch(function (e) { say(e.message, true); });
      });
    }
    var nf = document.getElementById("notice-form");
    if (nf) {
      nf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        json("/api/tasks/" + id + "/notices", {reason: nf.querySelector("[name=reason]").value}).then(reload)
          .catch(function (e) { say(e.message, true); });
      });
    }
    document.querySelectorAll(".answer-form").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        json("/api/notices/" + f.getAttribute("data-notice") + "/answer",
             {version: parseInt(f.getAttribute("data-version"), 10), answer: f.querySelector("[name=answer]").value})
          .then(reload).catch(function (e) { say(e.message, true); });
      });
    });
  }
  var imp = document.getElementById("task-import");
  if (imp) {
    imp.addEventListener("submit", function (ev) {
      ev.preventDefault();
      send("/api/tasks/import", {method: "POST", body: new FormData(imp)}).then(function (b) {
        say("+" + b.count, false); reload();
      }).catch(function (e) { say(e.message, true); });
    });
  }
})();
