/* Organisation page: the interaction-log form posts JSON to /api/organisation/interactions. */
(function () {
  "use strict";
  var f = document.getElementById("interaction-form");
  if (!f) { return; }
  f.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {chain_code: f.getAttribute("data-chain")};
    ["held_on", "kind", "leader", "summary", "commitment"].forEach(function (k) { body[k] = f.querySelector("[name=" + k + "]").value; });
    fetch("/api/organisation/interactions", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": document.getElementById("csrf").value},
      body: JSON.stringify(body)}).then(function (r) {
      return r.json().then(function (b) { if (!r.ok) { throw new Error(b.detail || String(r.status)); } return b; });
    }).then(function () { window.location.reload(); })
      .catch(function (e) { var m = document.getElementById("org-message"); m.textContent = e.message; m.setAttribute("data-state", "error"); });
  });
})();
