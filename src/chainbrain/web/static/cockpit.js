/* Cockpit charts: the city/county map and the chain ranking (ECharts, served locally).
 *
 * Reads the figures the server embedded in #cockpit-data (already formatted;
 * no statistics are computed here), registers the local GeoJSON and wires
 * drill-down: clicking a region reloads the page with ?region=<code>.
 */
(function () {
  "use strict";
  var esc = window.cbHtml.esc;          // tooltips are HTML: names escaped (html.js)
  var el = document.getElementById("cockpit-data");
  if (!el || typeof echarts === "undefined") { return; }
  var D = JSON.parse(el.textContent);
  var T = D.text;
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];
  window.cockpitCharts = {};

  function goRegion(code) {
    var q = new URLSearchParams(window.location.search);
    q.set("region", code);
    window.location.search = q.toString();
  }

  function tip(u) {
    if (!u) { return ""; }
    if (u.suppressed) {
      return "<b>" + esc(u.name) + "</b><br>" + T.suppressed + "<br>" + T.count_col + ": " + esc(u.count);
    }
    return "<b>" + esc(u.name) + "</b><br>" + T.revenue_col + ": " + esc(u.revenue) +
      "<br>" + T.yoy_comparable_col + ": " + esc(u.yoy_comparable) + "<br>" + T.count_col + ": " + esc(u.count);
  }

  function drawMap(geo) {
    var M = D.map;
    var node = document.getElementById("map");
    if (!node) { return; }
    if (M.level === "county") {
      geo = { type: "FeatureCollection",
              features: geo.features.filter(function (f) { return f.properties.parent_code === M.parent; }) };
    }
    var mapName = "cb-" + M.level + "-" + (M.parent || "province");
    echarts.registerMap(mapName, geo);
    var byCode = {};
    M.units.forEach(function (u) { byCode[u.code] = u; });
    var values = M.units.map(function (u) { return u.value; }).filter(function (v) { return v !== null; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) { return tip(byCode[p.name]); } },
      visualMap: { min: 0, max: max, calculable: false, orient: "vertical", left: 8, bottom: 8,
                   text: [T.unit_yi_short, ""], itemHeight: 110,
                   inRange: { color: ["#dbe9f8", "#7fb0e0", "#2f6fb8", "#0b3a75"] },
                   textStyle: { color: "#44546a" } },
      series: [{
        type: "map", map: mapName, nameProperty: "code", roam: false, layoutCenter: ["55%", "50%"],
        layoutSize: "95%", selectedMode: false,
        itemStyle: { areaColor: "#eef1f5", borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { itemStyle: { areaColor: "#f2b134" }, label: { color: "#10213a" } },
        label: { show: true, fontSize: M.level === "county" ? 10 : 12, color: "#10213a",
                 textBorderColor: "rgba(255,255,255,0.85)", textBorderWidth: 2,
                 formatter: function (p) { var u = byCode[p.name]; return u ? u.name : ""; } },
        data: M.units.map(function (u) {
          var item = { name: u.code, value: u.value };
          if (u.code === M.selected) { item.itemStyle = { borderColor: "#f2b134", borderWidth: 3 }; }
          return item;
        })
      }]
    });
    chart.on("click", function (p) { if (p.name && byCode[p.name]) { goRegion(p.name); } });
    charts.push(chart);
    window.cockpitCharts.map = chart;
  }

  function drawChains() {
    var node = document.getElementById("chain-chart");
    if (!node) { return; }
    var rows = D.chains.slice().reverse();           // largest at the top of a horizontal bar chart
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "axis", axisPointer: { type: "shadow" },
                 formatter: function (ps) { return tip(rows[ps[0].dataIndex]); } },
      xAxis: { type: "value", name: T.unit_yi_short, splitLine: { lineStyle: { color: "#e3e8ef" } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisTick: { show: false }, axisLabel: { fontSize: 13, color: "#10213a" } },
      series: [{
        type: "bar", barMaxWidth: 22,
        data: rows.map(function (r) { return r.value; }),
        itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 1, 0,
          [{ offset: 0, color: "#2f6fb8" }, { offset: 1, color: "#0b3a75" }]), borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: "right", color: "#10213a",
                 formatter: function (p) { var r = rows[p.dataIndex]; return r.suppressed ? "—*" : r.revenue; } }
      }]
    });
    charts.push(chart);
    window.cockpitCharts.chains = chart;
  }

  function drawProjection() {
    var P = D.projection;
    var node = document.getElementById("projection-chart");
    if (!P || !node) { return; }
    var X = P.text;
    // the interval band: from the last actual (zero width) to the projected year's 80 % interval
    var lastActual = -1;
    P.actual.forEach(function (v, i) { if (v !== null) { lastActual = i; } });
    var low = P.low.slice(), width = P.high.map(function (h, i) {
      return (h !== null && P.low[i] !== null) ? h - P.low[i] : null; });
    var point = P.projected.slice();
    if (lastActual >= 0 && point.some(function (v) { return v !== null; })) {
      low[lastActual] = P.actual[lastActual];
      width[lastActual] = 0;
      point[lastActual] = P.actual[lastActual];
    }
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [X.proj_actual, X.proj_ytd, X.proj_required, X.proj_point, X.proj_band] },
      tooltip: { position: window.cbHtml.place, trigger: "axis", formatter: function (ps) { return window.cbHtml.tip(ps, function (v) {
        return (v === null || v === undefined) ? "—" : v.toLocaleString(undefined, { maximumFractionDigits: 2 }) + " " + T.unit_yi_short; }); } },
      xAxis: { type: "category", data: P.years, boundaryGap: false },
      yAxis: { type: "value", name: T.unit_yi_short, scale: true, splitLine: { lineStyle: { color: "#e3e8ef" } } },
      series: [
        { name: "band-low", type: "line", data: low, stack: "band", symbol: "none", lineStyle: { opacity: 0 },
          tooltip: { show: false }, connectNulls: true, silent: true },
        { name: X.proj_band, type: "line", data: width, stack: "band", symbol: "none", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(242,177,52,0.28)" }, connectNulls: true, silent: true },
        { name: X.proj_actual, type: "line", data: P.actual, symbol: "circle", symbolSize: 7,
          lineStyle: { width: 3, color: "#0b3a75" }, itemStyle: { color: "#0b3a75" } },
        { name: X.proj_ytd, type: "bar", data: P.ytd, barMaxWidth: 26, itemStyle: { color: "#7fb0e0" } },
        { name: X.proj_required, type: "line", data: P.required, symbol: "none",
          lineStyle: { width: 2, type: "dashed", color: "#c0392b" }, itemStyle: { color: "#c0392b" } },
        { name: X.proj_point, type: "line", data: point, connectNulls: true, symbol: "diamond", symbolSize: 10,
          lineStyle: { width: 2, type: "dotted", color: "#d4880f" }, itemStyle: { color: "#d4880f" } }
      ]
    });
    charts.push(chart);
    window.cockpitCharts.projection = chart;
  }

  drawChains();
  drawProjection();
  fetch(D.map.geo_url)
    .then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
    .then(drawMap)
    .then(function () { document.body.setAttribute("data-map-ready", "true"); })
    .catch(function (e) {
      var node = document.getElementById("map");
      if (node) { node.textContent = String(e); }
      document.body.setAttribute("data-map-ready", "error");
    });
  window.addEventListener("resize", function () { charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); });
}());
