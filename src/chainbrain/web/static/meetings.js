/* Meetings page: the form becomes the JSON of POST /api/meetings (decisions "text | unit | date"). */
(function () {
  "use strict";
  var f = document.getElementById("meeting-form");
  if (!f) { return; }
  var out = document.getElementById("meeting-message");
  function lines(name) {
    return f.querySelector("[name=" + name + "]").value.split("\n").map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
  }
  f.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var chain = f.querySelector("[name=chain_code]");
    var body = {
      title: f.querySelector("[name=title]").value, held_on: f.querySelector("[name=held_on]").value,
      chair: f.querySelector("[name=chair]").value, agenda: lines("agenda"),
      chain_code: chain ? chain.value : null,
      attendees: lines("attendees").map(function (s) { var p = s.split(/[,，]/); return {name: p[0].trim(), unit: (p[1] || "").trim()}; }),
      decisions: lines("decisions").map(function (s) {
        var p = s.split("|").map(function (x) { return x.trim(); });
        return {text: p[0], lead_unit: p[1] || "", deadline: p[2] || ""};
      })
    };
    fetch("/api/meetings", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": document.getElementById("csrf").value},
      body: JSON.stringify(body)}).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) { throw new Error(b.detail || String(r.status)); } return b; });
    }).then(function (b) { window.location.href = "/meetings/" + b.id + window.location.search; })
      .catch(function (e) { out.textContent = e.message; out.setAttribute("data-state", "error"); });
  });
})();
