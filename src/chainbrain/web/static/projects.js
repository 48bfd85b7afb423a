/* Project page: stage moves, the 招商 lead and monthly investment reports go to the JSON API (X-CSRF-Token). */
(function () {
  "use strict";
  var box = document.getElementById("project");
  if (!box) { return; }
  var id = box.getAttribute("data-id"), version = parseInt(box.getAttribute("data-version"), 10);
  var csrf = document.getElementById("csrf").value;
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.detail || String(r.status)); } return b; }); })
      .then(function () { window.location.reload(); })
      .catch(function (e) { var m = document.getElementById("project-message"); m.textContent = e.message; m.setAttribute("data-state", "error"); });
  }
  document.querySelectorAll(".project-move").forEach(function (b) {
    b.addEventListener("click", function () { post("/api/projects/" + id + "/" + b.getAttribute("data-action"), {version: version}); });
  });
  var pf = document.getElementById("problem-form");
  if (pf) {
    pf.addEventListener("submit", function (ev) {
      ev.preventDefault();
      post("/api/tasks", {project_id: parseInt(id, 10), title: pf.title.value, lead_unit: pf.lead_unit.value,
        deadline: pf.deadline.value});
    });
  }
  var lf = document.getElementById("lead-form");
  if (lf) {
    lf.addEventListener("submit", function (ev) {
      ev.preventDefault();
      post("/api/projects/" + id + "/lead", {version: version, lead_id: lf.lead_id.value ? parseInt(lf.lead_id.value, 10) : null});
    });
  }
  var f = document.getElementById("investment-form");
  if (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      post("/api/projects/" + id + "/investment", {version: version, year: parseInt(f.year.value, 10),
        month: parseInt(f.month.value, 10), actual: f.actual.value});
    });
  }
})();
