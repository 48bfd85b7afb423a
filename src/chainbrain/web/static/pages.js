/* Working pages' charts (ECharts, served locally): bar charts from tables, the chain tree,
 * a county map, an enterprise's history line. Figures are embedded by the server in
 * #page-data (no statistics computed here). Every chart has a table view (toggle) and an
 * Excel link. Sets body[data-charts-ready] when done.
 */
(function () {
  "use strict";
  var esc = window.cbHtml.esc;          // tooltips are HTML: names escaped (html.js)
  var el = document.getElementById("page-data");
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var charts = [];
  window.pageCharts = {};
  function ready(v) { document.body.setAttribute("data-charts-ready", v); }
  if (!el || typeof echarts === "undefined") { ready("true"); return; }
  var D = JSON.parse(el.textContent);

  function tableRows(id) {
    var t = document.getElementById("table-" + id);
    if (!t) { return []; }
    return Array.prototype.map.call(t.querySelectorAll("tbody tr[data-key]"), function (tr) {
      var a = tr.querySelector("a[href]");
      var r = { key: tr.getAttribute("data-key"), href: a ? a.getAttribute("href") : null };
      tr.querySelectorAll("td[data-field]").forEach(function (td) {
        r[td.getAttribute("data-field")] = { text: td.textContent.trim(), value: td.getAttribute("data-value") };
      });
      return r;
    });
  }

  function bar(spec) {
    var node = document.getElementById("chart-" + spec.id);
    if (!node) { return; }
    var rows = tableRows(spec.table).filter(function (r) { return r[spec.value]; });
    rows = rows.slice(0, 15).reverse();
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: 72, top: 8, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) { return window.cbHtml.tip(ps); } },
      xAxis: { type: "value", name: "亿元", splitLine: { lineStyle: { color: "#e3e8ef" } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r[spec.label] ? r[spec.label].text : r.key; }),
               axisTick: { show: false } },
      series: [{ type: "bar", barMaxWidth: 20, itemStyle: { color: "#2f6fb8" },
                 data: rows.map(function (r) { var v = r[spec.value].value; return v ? Number(v) / spec.scale : null; }),
                 label: { show: true, position: "right", formatter: function (p) { return rows[p.dataIndex][spec.value].text; } } }]
    });
    chart.on("click", function (p) {           // a bar leads where its table row's link leads (drill-down)
      var r = rows[p.dataIndex];
      if (r && r.href) { window.location.href = r.href; }
    });
    charts.push(chart);
    window.pageCharts[spec.id] = chart;
  }

  function tree(data) {
    var node = document.getElementById("chart-tree");
    if (!node) { return; }
    function paint(n) {
      if (n.heat !== undefined) {
        var h = n.heat === null ? 0 : n.heat;
        var c = n.value ? "rgba(11,58,117," + (0.25 + 0.75 * h).toFixed(2) + ")" : "#c9d2de";
        n.itemStyle = { color: c, borderColor: c };
      }
      (n.children || []).forEach(paint);
    }
    paint(data);
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) {
        var d = p.data; var s = "<b>" + esc(p.name) + "</b>";
        if (d.value !== undefined) { s += "<br>企业 / firms: " + d.value; }
        if (d.revenue !== undefined) { s += "<br>营业收入 / revenue: " + (d.suppressed ? "—*" : (d.revenue === null ? "—" : (d.revenue / 1e8).toFixed(2) + " 亿元")); }
        return s; } },
      series: [{ type: "tree", data: [data], top: "2%", left: "8%", bottom: "2%", right: "28%",
                 symbolSize: 9, initialTreeDepth: 2, expandAndCollapse: true,
                 label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
                 leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } } }]
    });
    charts.push(chart);
    window.pageCharts.tree = chart;
  }

  function line(L) {
    var node = document.getElementById("chart-history");
    if (!node) { return; }
    var chart = echarts.init(node);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      legend: { top: 0 }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { position: window.cbHtml.place, trigger: "axis", formatter: function (ps) { return window.cbHtml.tip(ps); } },
      xAxis: { type: "category", data: L.x }, yAxis: { type: "value", name: "万元" },
      series: [{ name: "累计 YTD", type: "line", data: L.ytd, showSymbol: false },
               { name: "当月 month", type: "bar", data: L.month, itemStyle: { color: "#f2b134" } }]
    });
    charts.push(chart);
    window.pageCharts.history = chart;
  }

  function map(M) {
    var node = document.getElementById("map");
    if (!node) { return Promise.resolve(); }
    return fetch(M.geo_url).then(function (r) { if (!r.ok) { throw new Error("map " + r.status); } return r.json(); })
      .then(function (geo) {
        geo = { type: "FeatureCollection",
                features: geo.features.filter(function (f) { return f.properties.parent_code === M.parent; }) };
        echarts.registerMap("cb-" + M.parent, geo);
        var byCode = {};
        M.units.forEach(function (u) { byCode[u.code] = u; });
        var vals = M.units.map(function (u) { return u.value; }).filter(function (v) { return v !== null; });
        var chart = echarts.init(node);
        chart.setOption({
          textStyle: { fontFamily: FONT },
          tooltip: { position: window.cbHtml.place, trigger: "item", formatter: function (p) { var u = byCode[p.name]; return u ? esc(u.name) + (u.value === null ? ": —*" : ": " + u.value.toFixed(2) + " 亿元") : ""; } },
          visualMap: { min: 0, max: vals.length ? Math.max.apply(null, vals) || 1 : 1, left: 8, bottom: 8, itemHeight: 100,
                       inRange: { color: ["#dbe9f8", "#2f6fb8", "#0b3a75"] } },
          series: [{ type: "map", map: "cb-" + M.parent, nameProperty: "code", selectedMode: false,
                     label: { show: true, fontSize: 10, formatter: function (p) { var u = byCode[p.name]; return u ? u.name : ""; } },
                     data: M.units.map(function (u) {
                       var item = { name: u.code, value: u.value };
                       if (u.code === M.selected) { item.itemStyle = { borderColor: "#f2b134", borderWidth: 3 }; }
                       return item; }) }]
        });
        chart.on("click", function (p) {
          if (byCode[p.name]) { var q = window.location.search; window.location.href = "/regions/" + p.name + q; }
        });
        charts.push(chart);
        window.pageCharts.map = chart;
      });
  }

  document.querySelectorAll("button.toggle").forEach(function (b) {
    b.addEventListener("click", function () {
      var chart = document.getElementById(b.getAttribute("data-toggle"));
      var tbl = b.closest(".tablewrap").querySelector("table");
      var showTable = tbl.hasAttribute("hidden");
      if (showTable) { tbl.removeAttribute("hidden"); chart.setAttribute("hidden", ""); }
      else { tbl.setAttribute("hidden", ""); chart.removeAttribute("hidden"); charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); }
    });
  });

  (D.bars || []).forEach(bar);
  if (D.tree) { tree(D.tree); }
  if (D.line) { line(D.line); }
  (D.map ? map(D.map) : Promise.resolve())
    .then(function () { ready("true"); })
    .catch(function (e) { var n = document.getElementById("map"); if (n) { n.textContent = String(e); } ready("error"); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { if (c.getDom().offsetWidth > 0) { c.resize(); } }); });
}());
