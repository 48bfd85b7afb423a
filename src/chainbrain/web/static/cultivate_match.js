/* 融通: post a need or an outcome to the JSON API, then reload the page (its figures come from the store). */
(function () {
  "use strict";
  var csrf = document.getElementById("csrf");
  var err = document.querySelector("[data-testid=match-error]");
  function wire(id, url) {
    var form = document.getElementById(id);
    if (!form || !csrf) { return; }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name) { body[el.name] = el.value.trim(); }
      });
      fetch(url, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf.value}, body: JSON.stringify(body)})
        .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
        .then(function (res) {
          if (!res.ok) { err.textContent = res.j.detail || "error"; err.hidden = false; return; }
          window.location.reload();
        });
    });
  }
  wire("need-form", "/api/cultivate/match/needs");
  wire("event-form", "/api/cultivate/match/events");
}());
