/* The focus page (找准主攻点、突破点): feasibility–attractiveness scatter, the crowded-segments bar and
 * the map of who targets what (ECharts and the pack's boundaries, served locally). Figures come from the server in #page-data; nothing is computed here.
 * Every chart has a table view (toggle) and an Excel link. Sets body[data-charts-ready] when done.
 */
(function () {
  "use strict";
  var esc = window.cbHtml.esc;          // tooltips are HTML: names escaped (html.js)
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = { attack: "#c2410c", breakthrough: "#2f6fb8", other: "#b8c2cf" };
  var charts = [];
  window.pageCharts = {};
  function ready(v) { document.body.setAttribute("data-charts-ready", v); }

  var form = document.querySelector("form[data-testid=strategy-form]");
  var sel = form && form.querySelector("select[name=strategy]");
  if (sel) { sel.addEventListener("change", function () { form.submit(); }); }

  document.querySelectorAll("button.toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var chart = document.getElementById(b.getAttribute("data-toggle"));
      var tbl = b.closest(".tablewrap").querySelector("table");
      if (tbl.hasAttribute("hidden")) { tbl.removeAttribute("hidden"); chart.setAttribute("hidden", ""); }
      else { tbl.setAttribute("hidden", ""); chart.removeAttribute("hidden"); charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); }
    });
  });

  var el = document.getElementById("page-data");
  if (!el || typeof echarts === "undefined") { ready("true"); return; }
  var D = JSON.parse(el.textContent);
  var L = D.labels || {};

  function fmt(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(3); }

  function scatter(yKey) {
    var node = document.getElementById("chart-scatter");
    if (!node) { return; }
    var chart = window.pageCharts.scatter || echarts.init(node);
    var kinds = ["breakthrough", "attack", "other"];
    chart.setOption({
      textStyle: { fontFamily: FONT },
      legend: { top: 0, data: kinds.map(function (k) { return L[k] || k; }) },
      grid: { left: 8, right: 24, top: 36, bottom: 30, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) {
        var d = p.data.raw;
        return "<b>" + esc(d.name) + "</b> (" + esc(d.segment) + ")<br>" + (L.density || "density") + ": " + fmt(d.density) +
          "<br>PCI: " + fmt(d.pci) + "<br>COG: " + fmt(d.cog) + "<br>score: " + fmt(d.score); } },
      xAxis: { type: "value", name: L.density || "density", nameLocation: "middle", nameGap: 24, scale: true,
               splitLine: { lineStyle: { color: "#e3e8ef" } } },
      yAxis: { type: "value", name: (L[yKey] || yKey), scale: true, splitLine: { lineStyle: { color: "#e3e8ef" } } },
      series: kinds.map(function (k) {
        return { name: L[k] || k, type: "scatter", itemStyle: { color: COLORS[k], opacity: k === "other" ? 0.5 : 0.85 },
                 symbolSize: function (v, p) { var s = p.data.raw.score; return 6 + 14 * (s === null ? 0 : s); },
                 data: (D.points || []).filter(function (d) {
                   return d.kind === k && d.density !== null && d[yKey] !== null; })
                   .map(function (d) { return { value: [d.density, d[yKey]], raw: d, name: d.name }; }) };
      })
    }, true);
    if (!window.pageCharts.scatter) { charts.push(chart); window.pageCharts.scatter = chart; }
  }

  function crowded() {
    var node = document.getElementById("chart-crowded");
    if (!node) { return; }
    var rows = (D.crowded || []).slice(0, 15).reverse();
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) { return window.cbHtml.tip(ps); } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisTick: { show: false } },
      series: [{ type: "bar", barMaxWidth: 20, itemStyle: { color: COLORS.breakthrough },
                 data: rows.map(function (r) { return r.n; }), label: { show: true, position: "right" } }]
    });
    charts.push(chart);
    window.pageCharts.crowded = chart;
  }

  var PALETTE = ["#2f6fb8", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f",
                 "#1e3a8a", "#9f1239", "#0f766e", "#a16207"];

  /* Who targets what: by default each region coloured by its first breakthrough point (a colour per
   * segment); with a crowded segment chosen, the regions that have it in their top 5 shaded by their
   * score, the stronger case outlined in gold. The region of the page has a dark outline. */
  function focusMap(M) {
    var node = document.getElementById("focus-map");
    if (!node || !M) { return Promise.resolve(); }
    if (!(M.regions || []).length) { node.textContent = L.map_empty || "—"; return Promise.resolve(); }
    return fetch(M.geo_url).then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
      .then(function (geo) {
        var mine = {};
        M.regions.forEach(function (r) { mine[r.code] = r; });
        geo = { type: "FeatureCollection", features: geo.features.filter(function (f) {
          return mine.hasOwnProperty(f.properties.code); }) };
        echarts.registerMap("cb-focus", geo);
        var chart = echarts.init(node);
        var segSel = document.getElementById("focus-map-segment");
        function draw() {
          var seg = segSel ? segSel.value : "";
          var crowd = null;
          (M.crowded || []).forEach(function (c) { if (c.segment === seg) { crowd = c; } });
          var rank = {};
          if (crowd) { crowd.ranking.forEach(function (r, i) { rank[r.region] = { i: i + 1, score: r.score }; }); }
          var colours = {}, used = [];
          M.regions.forEach(function (r) {
            var first = r.targets[0];
            if (first && !colours.hasOwnProperty(first)) { colours[first] = PALETTE[used.length % PALETTE.length]; used.push(first); }
          });
          var data = M.regions.map(function (r) {
            var item = { name: r.code, value: crowd ? (rank[r.code] ? rank[r.code].score : null) : null,
                         itemStyle: {} };
            if (!crowd) { item.itemStyle.areaColor = r.targets[0] ? colours[r.targets[0]] : "#e3e8ef"; }
            if (crowd && r.code === crowd.stronger_case) { item.itemStyle.borderColor = "#f2b134"; item.itemStyle.borderWidth = 3; }
            if (r.code === M.selected) { item.itemStyle.borderColor = item.itemStyle.borderColor || "#0b1f3a"; item.itemStyle.borderWidth = 3; }
            return item; });
          var scores = crowd ? crowd.ranking.map(function (r) { return r.score; }) : [];
          chart.setOption({
            textStyle: { fontFamily: FONT },
            legend: { show: false },
            tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) {
              var r = mine[p.name]; if (!r) { return ""; }
              var s = "<b>" + esc(r.name) + "</b><br>" + (L.top_targets || "") + ": " + esc(r.targets_text || "—");
              if (crowd) {
                var k = rank[p.name];
                s += "<br>" + esc(crowd.name) + ": " + (k ? (L.map_rank || "{r} {s}").replace("{r}", k.i).replace("{s}", fmt(k.score))
                                                      : (L.map_not_targeting || "—"));
                if (p.name === crowd.stronger_case) { s += " · " + (L.stronger_case || ""); }
              }
              return s; } },
            visualMap: crowd ? { show: true, min: scores.length ? Math.min.apply(null, scores) : 0,
                                 max: scores.length ? Math.max.apply(null, scores) : 1, left: 8, bottom: 8,
                                 itemHeight: 100, precision: 2, inRange: { color: ["#dbe9f8", "#2f6fb8", "#0b3a75"] },
                                 outOfRange: { color: "#eef1f5" } } : { show: false, min: 0, max: 1,
                                 inRange: { color: ["#e3e8ef", "#e3e8ef"] } },
            series: [{ type: "map", map: "cb-focus", nameProperty: "code", selectedMode: false, roam: false,
                       label: { show: true, fontSize: 10, formatter: function (p) {
                         var r = mine[p.name]; if (!r) { return ""; }
                         return crowd ? r.name : r.name + "\n" + (r.targets[0] ? (M.names[r.targets[0]] || r.targets[0]) : "");
                       } },
                       emphasis: { label: { show: true } },
                       data: data }]
          }, true);
          window.pageCharts.mapState = { segment: seg, coloured: Object.keys(colours).length,
                                         shaded: crowd ? crowd.ranking.length : 0 };
        }
        draw();
        if (segSel) { segSel.addEventListener("change", draw); }
        chart.on("click", function (p) {
          if (mine[p.name]) { var q = window.location.search; window.location.href = "/focus/" + p.name + q; }
        });
        charts.push(chart);
        window.pageCharts.focusMap = chart;
      });
  }

  var ySel = document.getElementById("focus-y");
  scatter(ySel ? ySel.value : "pci");
  if (ySel) { ySel.addEventListener("change", function () { scatter(ySel.value); }); }
  crowded();
  window.addEventListener("resize", function () { charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); });
  focusMap(D.map).then(function () { ready("true"); })
    .catch(function (e) { var n = document.getElementById("focus-map"); if (n) { n.textContent = L.map_failed || String(e); } ready("error"); });
}());
