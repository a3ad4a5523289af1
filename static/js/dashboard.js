/* Dashboard charts (ECharts, served by the app). The data is the JSON the page embeds; each chart has a
   table beside it with the same figures, so the page reads without JavaScript too. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-charts");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var charts = [];
  function draw(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 30, bottom: 30 } }, option));
    charts.push(chart);
  }
  var y = data.years;
  if (y && y.labels.length) {
    draw("years", {
      legend: { data: [gettext("识别户数"), gettext("脱贫户数"), gettext("目标户数")] },
      xAxis: { type: "category", data: y.labels }, yAxis: { type: "value" },
      series: [
        { name: gettext("识别户数"), type: "bar", data: y.identified },
        { name: gettext("脱贫户数"), type: "bar", data: y.exits },
        { name: gettext("目标户数"), type: "line", data: y.targets, connectNulls: false }
      ]
    });
  }
  if (data.causes && data.causes.length) {
    draw("causes", { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "70%"], data: data.causes,
      label: { show: false } }] });
  }
  var b = data.batches;
  if (b) {
    draw("batches", {
      legend: { data: [gettext("户"), gettext("人")] }, grid: { left: 90, right: 10, top: 30, bottom: 20 },
      yAxis: { type: "category", data: b.labels }, xAxis: { type: "value" },
      series: [{ name: gettext("户"), type: "bar", data: b.households }, { name: gettext("人"), type: "bar", data: b.persons }]
    });
  }
  var c = data.completion;
  if (c && c.labels.length) {
    draw("completion", {
      legend: { data: [gettext("已走访"), gettext("未走访"), gettext("逾期")] },
      xAxis: { type: "category", data: c.labels, axisLabel: { interval: 0, rotate: 30 } }, yAxis: { type: "value" },
      series: [
        { name: gettext("已走访"), type: "bar", stack: "a", data: c.visited },
        { name: gettext("未走访"), type: "bar", stack: "a", data: c.pending },
        { name: gettext("逾期"), type: "bar", stack: "a", data: c.overdue }
      ]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
