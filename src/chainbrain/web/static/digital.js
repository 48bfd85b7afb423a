/* 数字化水平自评: post the form to /api/digital/self-assessment (stored for the user's own firm), then reload. */
(function () {
  "use strict";
  var form = document.getElementById("self-form");
  if (!form) { return; }
  var csrf = document.getElementById("csrf").value;
  var err = document.querySelector("[data-testid=self-error]");
  var ok = document.querySelector("[data-testid=self-saved]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name) { body[el.name] = el.value.trim(); }
    });
    fetch("/api/digital/self-assessment", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) {
          err.textContent = res.j.detail || "error";
          err.hidden = false; ok.hidden = true;
          return;
        }
        err.hidden = true;
        ok.textContent = res.j.scheme + " L" + res.j.level + " " + res.j.assessed_on + " ✓";
        ok.hidden = false;
        window.location.reload();
      });
  });
}());
