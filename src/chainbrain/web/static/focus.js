/* The focus page (找准主攻点、突破点): feasibility–attractiveness scatter and the crowded-segments bar
 * (ECharts, served locally). Figures come from the server in #page-data; nothing is computed here.
 * Every chart has a table view (toggle) and an Excel link. Sets body[data-charts-ready] when done.
 */
(function () {
  "use strict";
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
      else { tbl.setAttribute("hidden", ""); chart.removeAttribute("hidden"); charts.forEach(function (c) { c.resize(); }); }
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
      tooltip: { trigger: "item", formatter: function (p) {
        var d = p.data.raw;
        return "<b>" + d.name + "</b> (" + d.segment + ")<br>" + (L.density || "density") + ": " + fmt(d.density) +
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
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisTick: { show: false } },
      series: [{ type: "bar", barMaxWidth: 20, itemStyle: { color: COLORS.breakthrough },
                 data: rows.map(function (r) { return r.n; }), label: { show: true, position: "right" } }]
    });
    charts.push(chart);
    window.pageCharts.crowded = chart;
  }

  var ySel = document.getElementById("focus-y");
  scatter(ySel ? ySel.value : "pci");
  if (ySel) { ySel.addEventListener("change", function () { scatter(ySel.value); }); }
  crowded();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  ready("true");
}());
