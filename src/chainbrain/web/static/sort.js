/* Every data table sortable: a click on a column header sorts its rows (numbers by their exact
 * data-value, text in Chinese collation); a second click reverses. A table paged on the server (a
 * pager form with a sort choice just before it) is sorted by the server instead: a header whose
 * column (its cells' data-field) is one of the pager's sort choices sets that choice and submits,
 * a second click takes the reverse choice when there is one; other headers of a paged table do
 * nothing, since sorting one page would mislead. Tables whose headers hold links (sorted on the
 * server already) and tables of one row are left alone. No dependencies, offline. */
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
  function pagerOf(table) {
    var el = table.closest(".tablewrap") || table;
    for (var p = el.previousElementSibling; p; p = p.previousElementSibling) {
      if (p.matches("form.pager")) { return p; }
      if (p.matches("table, .tablewrap")) { return null; }
    }
    return null;
  }
  function serverSort(table, pager) {
    var sel = pager.querySelector("select[name$='sort']"), first = table.tBodies[0].rows[0];
    if (!sel || !first) { return; }
    var values = Array.prototype.map.call(sel.options, function (o) { return o.value; });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      var cell = first.cells[i], field = cell && cell.getAttribute("data-field");
      if (!field) { return; }
      var up = values.indexOf(field) >= 0 ? field : null, down = values.indexOf("-" + field) >= 0 ? "-" + field : null;
      if (!up && !down) { return; }
      if (sel.value === field || sel.value === "-" + field) {
        th.setAttribute("data-sorted", sel.value === field ? "asc" : "desc");
      }
      th.classList.add("sortable");
      th.setAttribute("data-sort-field", field);
      th.setAttribute("title", (th.getAttribute("title") ? th.getAttribute("title") + " · " : "") + "点击排序（全部记录）");
      th.addEventListener("click", function () {
        var cur = sel.value;
        sel.value = (cur === up && down) ? down : (cur === down && up) ? up : (down || up);
        pager.submit();
      });
    });
  }
  function setup(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || head.querySelector("a")) { return; }
    var pager = pagerOf(table);
    if (pager) { serverSort(table, pager); return; }
    if (body.rows.length < 2) { return; }
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
