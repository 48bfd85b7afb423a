/* Work programmes (joint R&D, guidance fund, policies): forms and buttons post JSON to the API
   with the session's X-CSRF-Token, then reload (or open the created item). A refusal shows the
   API's bilingual message. Forms: data-url, data-method (POST|PATCH), data-version, data-next
   ("/rd/{id}"); list fields: data-list="name" (one item a line). Buttons: .js-post with
   data-url, data-version and data-extra (the id of a form whose fields join the body). */
(function () {
  "use strict";
  var csrfBox = document.getElementById("csrf");
  if (!csrfBox) { return; }
  var csrf = csrfBox.value, msg = document.getElementById("program-message");
  function say(text) { if (msg) { msg.textContent = text; msg.setAttribute("data-state", "error"); } }
  function send(url, method, body, next) {
    return fetch(url, {method: method || "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) { throw new Error(b.detail || String(r.status)); } return b; }); })
      .then(function (b) {
        if (next && b.id !== undefined) { window.location.href = next.replace("{id}", b.id) + window.location.search; }
        else { window.location.reload(); }
      })
      .catch(function (e) { say(e.message); });
  }
  function fields(form, body) {
    var lists = (form.getAttribute("data-list") || "").split(",");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.value === "") { return; }
      body[el.name] = lists.indexOf(el.name) >= 0 ? el.value.split("\n").filter(function (x) { return x.trim(); }) : el.value;
    });
    return body;
  }
  document.querySelectorAll("form.js-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = fields(f, {});
      if (f.hasAttribute("data-version")) { body.version = parseInt(f.getAttribute("data-version"), 10); }
      send(f.getAttribute("data-url"), f.getAttribute("data-method"), body, f.getAttribute("data-next"));
    });
  });
  document.querySelectorAll(".js-post").forEach(function (b) {
    b.addEventListener("click", function () {
      var body = {version: parseInt(b.getAttribute("data-version"), 10)};
      var extra = b.getAttribute("data-extra"), seq = b.getAttribute("data-seq"), app = b.getAttribute("data-application");
      if (extra && document.getElementById(extra)) { fields(document.getElementById(extra), body); }
      if (seq) { body.seq = parseInt(seq, 10); }
      if (app) { body.application_id = parseInt(app, 10); }
      send(b.getAttribute("data-url"), "POST", body, null);
    });
  });
})();
