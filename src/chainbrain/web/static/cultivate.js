/* 梯度自评: post the form's figures to /api/cultivate/check and show the assessment (nothing stored). */
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form) { return; }
  var csrf = document.getElementById("csrf").value;
  var err = document.querySelector("[data-testid=check-error]");
  var out = document.querySelector("[data-testid=check-result]");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name) { body[el.name] = el.value.trim(); }
    });
    fetch("/api/cultivate/check", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) {
          err.textContent = res.j.detail || "error";
          err.hidden = false; out.hidden = true;
          return;
        }
        err.hidden = true;
        Object.keys(res.j).forEach(function (k) {
          var dd = out.querySelector("[data-testid=out-" + k + "]");
          if (dd) { dd.textContent = String(res.j[k]); dd.setAttribute("data-value", String(res.j[k])); }
        });
        out.hidden = false;
      });
  });
}());
