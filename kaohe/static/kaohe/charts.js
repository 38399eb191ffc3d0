// Draws every chart of a page with Apache ECharts (served by kaohe): each <div class="kaohe-chart"> holds its
// numbers as JSON in data-chart — the same numbers as the table printed with it. SVG, so that charts print
// sharp; redrawn when the window changes size, and just before printing at the paper's width.
(function () {
  "use strict";

  function options(spec) {
    var stacked = spec.kind === "stacked";
    var line = spec.kind === "line";
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, width: 90, overflow: "truncate", rotate: spec.categories.length > 5 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: line ? "line" : "bar",
          stack: stacked ? "all" : undefined,
          data: series.data,
          label: { show: !stacked && spec.categories.length <= 12, position: "top" },
        };
      }),
    };
  }

  function drawAll() {
    if (!window.echarts) return;
    document.querySelectorAll(".kaohe-chart[data-chart]").forEach(function (box) {
      var chart = window.echarts.getInstanceByDom(box) || window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption(options(JSON.parse(box.dataset.chart)));
      box.dataset.drawn = "true";
    });
  }

  function resizeAll() {
    document.querySelectorAll(".kaohe-chart[data-drawn]").forEach(function (box) {
      var chart = window.echarts.getInstanceByDom(box);
      if (chart) chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
})();
