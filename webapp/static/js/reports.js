// Draws a report's chart with ECharts (SVG, so that it prints sharply) from the JSON the
// page carries; the table under it holds the same figures for readers without JavaScript.
(function () {
  "use strict";

  var PALETTE = ["#2f6fa7", "#d9822b", "#c23030", "#3a8f5c", "#7a5cad", "#8f8f3a",
                 "#4aa3a3", "#b05d8a"];

  function option(data) {
    var stacked = data.kind === "stacked";
    var line = data.kind === "line";
    var series = data.series.map(function (s, index) {
      var item = {name: s.name, type: line ? "line" : "bar", data: s.values,
                  stack: stacked ? "total" : undefined, emphasis: {focus: "series"},
                  label: {show: !stacked && !line && data.series.length === 1,
                          position: "top", formatter: "{c}" + (data.unit || "")}};
      if (index === 0 && data.target !== null && data.target !== undefined) {
        item.markLine = {symbol: "none", lineStyle: {type: "dashed", color: "#c23030"},
                         label: {formatter: data.targetLabel + " " + data.target + (data.unit || "")},
                         data: [{yAxis: data.target}]};
      }
      return item;
    });
    return {
      color: PALETTE,
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {top: 0, type: "scroll"},
      grid: {left: 48, right: 24, top: 40, bottom: 64, containLabel: true},
      xAxis: {type: "category", data: data.categories,
              axisLabel: {interval: 0, rotate: data.categories.length > 6 ? 30 : 0}},
      yAxis: {type: "value", minInterval: data.unit ? 0 : 1,
              // The target line stays in sight when every bar is below it.
              max: data.target === null || data.target === undefined ? null : function (v) {
                return Math.max(v.max, data.target * 1.1);
              },
              axisLabel: {formatter: "{value}" + (data.unit || "")}},
      series: series
    };
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-source"));
    if (!source || !window.echarts) { return; }
    var chart = window.echarts.init(element, null, {renderer: "svg"});
    chart.setOption(option(JSON.parse(source.textContent)));
    element.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
    // Printed pages are narrower than the screen: fit the chart before and after printing.
    window.addEventListener("beforeprint", function () { chart.resize({width: 680}); });
    window.addEventListener("afterprint", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-source]"), draw);
    Array.prototype.forEach.call(document.querySelectorAll(".print-button"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  });
}());
