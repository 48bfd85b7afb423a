/* Targets page: mark a target as a lead, move a lead — JSON API with X-CSRF-Token, then reload. */
(function () {
  "use strict";
  var box = document.getElementById("leads");
  if (!box) { return; }
  var csrf = document.getElementById("csrf").value;
  var msg = document.querySelector("[data-testid=lead-message]");
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.detail || String(r.status)); } return b; }); })
      .then(function () { window.location.reload(); })
      .catch(function (e) { msg.textContent = e.message; msg.setAttribute("data-state", "error"); });
  }
  document.querySelectorAll(".mark-lead").forEach(function (b) {
    b.addEventListener("click", function () {
      post("/api/attract/leads", {enterprise_id: parseInt(b.getAttribute("data-enterprise"), 10),
        chain_code: box.getAttribute("data-chain"), segment_code: b.getAttribute("data-segment"),
        region_code: box.getAttribute("data-region") || null, year: parseInt(box.getAttribute("data-year"), 10),
        score: parseFloat(b.getAttribute("data-score"))});
    });
  });
  document.querySelectorAll(".lead-move").forEach(function (b) {
    b.addEventListener("click", function () {
      post("/api/attract/leads/" + b.getAttribute("data-id") + "/" + b.getAttribute("data-action"),
        {version: parseInt(b.getAttribute("data-version"), 10)});
    });
  });
})();
