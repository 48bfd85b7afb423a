/* Every data table sortable: a click on a column header sorts its rows (numbers by their exact
 * data-value, text in Chinese collation); a second click reverses. Tables sorted on the server
 * (headers holding links) and tables of one row are left alone. No dependencies, offline. */
(function () {
  "use strict";
  function key(td) {
    if (!td) { return { n: null, s: "" }; }
    var v = td.getAttribute("data-value");
    var n = (v !== null && v !== "" && !isNaN(Number(v))) ? Number(v) : null;
    return { n: n, s: (td.textContent || "").trim() };
  }
  function compare(a, b) {
    if (a.n !== null && b.n !== null) { return a.n - b.n; }
    if (a.n !== null) { return -1; }
    if (b.n !== null) { return 1; }
    return a.s.localeCompare(b.s, "zh-CN");
  }
  function setup(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || body.rows.length < 2 || head.querySelector("a")) { return; }
    var ths = head.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, i) {
      th.style.cursor = "pointer";
      th.setAttribute("title", (th.getAttribute("title") ? th.getAttribute("title") + " · " : "") + "点击排序");
      th.addEventListener("click", function () {
        var dir = th.getAttribute("data-sorted") === "asc" ? -1 : 1;
        Array.prototype.forEach.call(ths, function (h) { h.removeAttribute("data-sorted"); });
        th.setAttribute("data-sorted", dir === 1 ? "asc" : "desc");
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length === ths.length; });
        rows.sort(function (a, b) { return dir * compare(key(a.cells[i]), key(b.cells[i])); });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function init() { Array.prototype.forEach.call(document.querySelectorAll("table.data"), setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
