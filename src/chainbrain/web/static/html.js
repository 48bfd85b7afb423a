/* cbHtml.esc(value): value as text with & < > " ' escaped. Chart tooltips are shown by ECharts as
 * HTML, and the names they show (enterprises, regions, segments, chains) come from imported data:
 * every tooltip formatter escapes them with this. Loaded in every page's head (templates/base.html). */
window.cbHtml = {
  esc: function (value) {
    var map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return map[c]; });
  }
};
