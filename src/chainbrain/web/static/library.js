/* 企业库复核: decide the current firm with the buttons or the keys j/k (move), a (accept), r (reject), c (change). */
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-testid=review-item]"));
  if (!items.length) { return; }
  var csrf = document.getElementById("csrf").value;
  var err = document.querySelector("[data-testid=review-error]");
  var cur = 0;
  function focus(i) {
    if (i < 0 || i >= items.length) { return; }
    items[cur].classList.remove("current");
    cur = i;
    items[cur].classList.add("current");
    items[cur].focus();
  }
  function decide(item, act) {
    var segs = item.querySelector("[data-testid=segments]").value.split(/[\s,，|]+/).filter(Boolean);
    fetch("/api/library/review", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({uscc: item.getAttribute("data-uscc"), action: act, segments: segs})})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) { err.textContent = res.j.detail || "error"; err.hidden = false; return; }
        err.hidden = true;
        item.setAttribute("data-status", res.j.status);
        item.querySelector("[data-testid=review-status]").textContent = res.j.status;
        focus(Math.min(items.indexOf(item) + 1, items.length - 1));
      });
  }
  items.forEach(function (item, i) {
    item.addEventListener("click", function () { focus(i); });
    Array.prototype.forEach.call(item.querySelectorAll("button[data-act]"), function (b) {
      b.addEventListener("click", function () { focus(i); decide(item, b.getAttribute("data-act")); });
    });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target && ev.target.tagName === "INPUT") {
      if (ev.key === "Enter") { ev.preventDefault(); decide(items[cur], "change"); }
      return;
    }
    if (ev.key === "j") { focus(cur + 1); } else if (ev.key === "k") { focus(cur - 1); }
    else if (ev.key === "a") { decide(items[cur], "accept"); } else if (ev.key === "r") { decide(items[cur], "reject"); }
    else if (ev.key === "c") { ev.preventDefault(); items[cur].querySelector("[data-testid=segments]").focus(); }
  });
}());
