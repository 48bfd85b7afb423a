/* cbHtml.esc(value): value as text with & < > " ' escaped. Chart tooltips are shown by ECharts as
 * HTML, and the names they show (enterprises, regions, segments, chains) come from imported data:
 * every tooltip formatter escapes them with this. Loaded in every page's head (templates/base.html).
 *
 * cbHtml.tip(params, valueFormatter): the tooltip of a chart that would otherwise use ECharts' default
 * one, as a DOM element (ECharts accepts one from a formatter): the axis value or name, then one line
 * per series with its colour dot, name and value. ECharts' default markup carries style= attributes,
 * which the Content Security Policy (style-src 'self', web/headers.py) refuses; here every text is a
 * text node (no HTML from names) and the dot's colour is set through the CSSOM, which the policy allows.
 *
 * cbHtml.place: every chart's tooltip.position. It leaves the tooltip where ECharts puts it (returns
 * nothing), but as a function it keeps ECharts from adding the arrow it draws when the position is a
 * word ("bottom", the default of a tooltip shown by dispatchAction): that arrow is a style= attribute. */
window.cbHtml = {
  esc: function (value) {
    var map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return map[c]; });
  },
  place: function () { return null; },
  tip: function (params, valueFormatter) {
    var list = Array.isArray(params) ? params : [params];
    var box = document.createElement("div");
    function line(parent, text, cls) {
      var el = document.createElement("div");
      if (cls) { el.className = cls; }
      el.appendChild(document.createTextNode(text));
      parent.appendChild(el);
      return el;
    }
    function shown(v, i) {
      if (Array.isArray(v)) { v = v[v.length - 1]; }
      if (valueFormatter) { return valueFormatter(v, i); }
      if (v === null || v === undefined || v === "" || (typeof v === "number" && isNaN(v))) { return "—"; }
      return typeof v === "number" ? v.toLocaleString(undefined, { maximumFractionDigits: 2 }) : String(v);
    }
    var head = list.length ? (list[0].axisValueLabel || (Array.isArray(params) ? "" : list[0].name) || "") : "";
    if (head) { line(box, head, "cb-tip-head"); }
    list.forEach(function (p) {
      var hasValue = p.value !== undefined && p.value !== null && !(typeof p.value === "object" && !Array.isArray(p.value));
      if (!Array.isArray(params) && !hasValue) { return; }         // an item without a value: its name says it
      var row = document.createElement("div");
      var dot = document.createElement("span");
      dot.className = "cb-tip-dot";
      if (typeof p.color === "string") { dot.style.backgroundColor = p.color; }
      row.appendChild(dot);
      var label = Array.isArray(params) ? (p.seriesName || "") : "";
      var series = /^series\u0000?\d+$/.test(label) ? "" : label;        // ECharts' made-up names are not shown
      row.appendChild(document.createTextNode((series ? series + ": " : "") + shown(p.value, p.dataIndex)));
      box.appendChild(row);
    });
    return box;
  }
};
