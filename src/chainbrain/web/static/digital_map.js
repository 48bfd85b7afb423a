/* 智改数转: the assessed (or transformed, or level ≥ 2) share of each city (or of each county of a city) on the local boundary map.
 * Reads the coverage rows the server embedded in #digital-map-data (no figures computed here);
 * clicking an area opens its own page (?region=<code>). */
(function () {
  "use strict";
  var esc = window.cbHtml.esc;          // tooltips are HTML: names escaped (html.js)
  var el = document.getElementById("digital-map-data");
  var node = document.getElementById("digital-map");
  if (!el || !node || typeof echarts === "undefined") { return; }
  var M = JSON.parse(el.textContent);
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif';
  var byCode = {};
  M.units.forEach(function (u) { byCode[u.code] = u; });
  function pct(v) { return v === null ? "—" : (Math.round(v * 1000) / 10).toFixed(1) + "%"; }
  fetch(M.geo_url)
    .then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
    .then(function (geo) {
      if (M.level === "county") {
        geo = { type: "FeatureCollection",
                features: geo.features.filter(function (f) { return f.properties.parent_code === M.parent; }) };
      }
      var name = "cb-digital-" + M.level + "-" + (M.parent || "province");
      echarts.registerMap(name, geo);
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption({
        textStyle: { fontFamily: FONT },
        tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) {
          var u = byCode[p.name];
          return u ? "<b>" + esc(u.name) + "</b><br>" + pct(u.value) + " (" + u.count + " / " + u.firms + ")" : "";
        } },
        visualMap: { min: 0, max: 1, calculable: false, left: 8, bottom: 8, itemHeight: 110, text: ["100%", "0%"],
                     inRange: { color: ["#f5e6c8", "#9fd0a6", "#3f9a5a", "#145c2e"] } },
        series: [{ type: "map", map: name, nameProperty: "code", roam: false, selectedMode: false,
                   itemStyle: { areaColor: "#eef1f5", borderColor: "#ffffff", borderWidth: 1 },
                   label: { show: true, fontSize: M.level === "county" ? 10 : 12, color: "#10213a",
                            formatter: function (p) { var u = byCode[p.name]; return u ? u.name : ""; } },
                   data: M.units.map(function (u) { return { name: u.code, value: u.value }; }) }]
      });
      chart.on("click", function (p) {
        if (!p.name || !byCode[p.name]) { return; }
        var q = new URLSearchParams(window.location.search);
        q.set("region", p.name);
        q.set("by", "county");
        window.location.search = q.toString();
      });
      document.body.setAttribute("data-map-ready", "true");
    })
    .catch(function () { document.body.setAttribute("data-map-ready", "error"); });
}());
