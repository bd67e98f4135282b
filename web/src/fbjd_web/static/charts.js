/* fbjd charts: every <div class="chart" data-chart="ID"> is drawn with Apache ECharts from the JSON in
   <script type="application/json" id="ID">{"series": [{"name", "points": [[iso, value], ...], "threshold",
   "kind"}], "bands": [{"from", "to", "label", "kind"}], "unit"}</script>
   One time axis, one line per series, a dashed line per threshold, a shaded area per band. No inline code
   (the Content-Security-Policy allows only 'self'); charts inside content swapped in by htmx are drawn too. */
(function () {
  "use strict";

  /* production in blues, treatment in greens, anything else in other hues: the kind reads at a glance. */
  var PALETTES = {
    production: ["#0b5394", "#3d85c6", "#073763", "#6fa8dc"],
    treatment: ["#1e7b34", "#6aa84f", "#274e13", "#93c47d"],
    other: ["#7b3294", "#c2185b", "#b54708", "#00838f", "#6d4c41"]
  };
  var BAND_COLORS = {
    abnormal: "rgba(180, 35, 24, 0.16)",
    control: "rgba(181, 71, 8, 0.12)",
    declared: "rgba(11, 83, 148, 0.10)"
  };
  /* threshold labels of different kinds at different ends of their line, so that close thresholds stay legible */
  var LABEL_AT = { production: "insideEndTop", treatment: "insideStartTop", other: "insideMiddleTop" };

  function seriesColor(kind, index) {
    var palette = PALETTES[kind] || PALETTES.other;
    return palette[index % palette.length];
  }

  function timeText(value) {
    var d = new Date(value);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    // China Standard Time wall clock, whatever the browser's own zone.
    var cst = new Date(d.getTime() + (d.getTimezoneOffset() + 480) * 60000);
    return cst.getFullYear() + "-" + two(cst.getMonth() + 1) + "-" + two(cst.getDate()) + " " +
      two(cst.getHours()) + ":" + two(cst.getMinutes());
  }

  function buildOption(data) {
    var unit = data.unit || "";
    var bands = (data.bands || []).map(function (band) {
      return [
        { name: band.label || "", xAxis: band.from, itemStyle: { color: BAND_COLORS[band.kind] || BAND_COLORS.declared } },
        { xAxis: band.to }
      ];
    });
    var kindCount = {};
    var series = (data.series || []).map(function (s) {
      var kind = PALETTES[s.kind] ? s.kind : "other";
      var color = seriesColor(kind, kindCount[kind] || 0);
      kindCount[kind] = (kindCount[kind] || 0) + 1;
      var line = {
        name: s.name,
        type: "line",
        showSymbol: false,
        connectNulls: false,
        sampling: "lttb",
        lineStyle: { width: 1.6, color: color },
        itemStyle: { color: color },
        data: s.points || []
      };
      if (s.threshold !== null && s.threshold !== undefined) {
        line.markLine = {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: color },
          label: { formatter: s.name + " 阈值 " + s.threshold + " " + unit, position: LABEL_AT[kind] },
          data: [{ yAxis: s.threshold }]
        };
      }
      return line;
    });
    if (series.length && bands.length) {
      series[0].markArea = { silent: true, label: { position: "insideTop", color: "#333" }, data: bands };
    } else if (bands.length) {
      series.push({ name: "", type: "line", data: [], markArea: { silent: true, data: bands } });
    }
    return {
      animation: false,
      grid: { left: 56, right: 24, top: 48, bottom: 64 },
      legend: { top: 4, type: "scroll" },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : Number(v).toFixed(2) + " " + unit; }
      },
      xAxis: { type: "time", axisLabel: { formatter: function (v) { return timeText(v).slice(5); } } },
      yAxis: { type: "value", name: unit, scale: false },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: series
    };
  }

  function draw(element) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    var data;
    try {
      data = JSON.parse(source.textContent || "{}");
    } catch (e) {
      element.textContent = "图表数据无法读取";
      return;
    }
    var existing = echarts.getInstanceByDom(element);
    if (existing) { existing.dispose(); }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(buildOption(data));
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var nodes = scope.querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) { draw(nodes[i]); }
    if (scope !== document && scope.matches && scope.matches("[data-chart]")) { draw(scope); }
  }

  function resizeAll() {
    if (typeof echarts === "undefined") { return; }
    var nodes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) {
      var chart = echarts.getInstanceByDom(nodes[i]);
      if (chart) { chart.resize(); }
    }
  }

  window.fbjdCharts = { draw: draw, drawAll: drawAll, buildOption: buildOption };
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
  window.addEventListener("resize", resizeAll);
})();
