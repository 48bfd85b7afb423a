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
    var mt = document.getElementById("task-milestones");
    function saveMilestones(list) {
      send("/api/tasks/" + id, {method: "PATCH", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({version: version, milestones: list})}).then(reload).catch(function (e) { say(e.message, true); });
    }
    function currentMilestones() {
      return JSON.parse(mt.getAttribute("data-milestones") || "[]").map(function (m) {
        return {title: m.title, due_on: m.due_on, done_on: m.done_on || null};
      });
    }
    var mf = document.getElementById("milestone-form");
    if (mf && mt) {
      mf.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var list = currentMilestones();
        list.push({title: mf.querySelector("[name=title]").value, due_on: mf.querySelector("[name=due_on]").value});
        saveMilestones(list);
      });
      document.querySelectorAll(".milestone-done").forEach(function (b) {
        b.addEventListener("click", function () {
          var list = currentMilestones(), seq = parseInt(b.getAttribute("data-seq"), 10);
          list[seq - 1].done_on = new Date().toISOString().slice(0, 10);
          saveMilestones(list);
        });
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
