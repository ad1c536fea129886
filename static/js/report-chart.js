// Analytics → a report's chart: the figures in #report-chart-data (json_script: type, labels,
// datasets with the unit of their figures, and urls[dataset][point]), numbers in the page
// language's format. Measures in another unit than the first (a sum of amounts beside a count)
// get their own axis on the right, so the smaller figures do not flatten against the larger. A
// click on a bar, point or slice opens the record list that the group counts, when the report can
// say it.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("report-chart-data");
  var canvas = document.getElementById("report-chart");
  if (!element || !canvas) { return; }
  var data = JSON.parse(element.textContent);
  var language = document.documentElement.lang || undefined;
  var formatter = new Intl.NumberFormat(language, {maximumFractionDigits: 2});
  var colours = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#6c757d"];
  var pie = data.type === "pie";
  data.datasets.forEach(function (set, index) {
    set.backgroundColor = pie ? data.labels.map(function (_label, point) { return colours[point % colours.length]; })
                              : colours[index % colours.length];
    set.borderColor = pie ? "#fff" : colours[index % colours.length];
  });
  var ticks = {callback: function (value) { return formatter.format(value); }};
  var scales = {};
  if (!pie) {
    var firstUnit = data.datasets.length ? data.datasets[0].unit : undefined;
    scales.y = {beginAtZero: true, ticks: ticks};
    data.datasets.forEach(function (set) {
      set.yAxisID = set.unit === firstUnit ? "y" : "y1";
    });
    if (data.datasets.some(function (set) { return set.yAxisID === "y1"; })) {
      scales.y1 = {beginAtZero: true, position: "right", ticks: ticks, grid: {drawOnChartArea: false}};
    }
  }
  var chart = new window.Chart(canvas, {
    type: data.type,
    data: {labels: data.labels, datasets: data.datasets},
    options: {
      responsive: true,
      locale: language,
      elements: {line: {tension: 0}},
      onClick: function (_event, elements) {
        if (!elements.length) { return; }
        var url = (data.urls[elements[0].datasetIndex] || [])[elements[0].index];
        if (url) { window.location.assign(url); }
      },
      onHover: function (event, elements) {
        var url = elements.length && (data.urls[elements[0].datasetIndex] || [])[elements[0].index];
        event.native.target.style.cursor = url ? "pointer" : "default";
      },
      plugins: {
        legend: {position: "bottom"},
        tooltip: {callbacks: {label: function (item) {
          var value = pie ? item.parsed : (item.parsed.y === undefined ? item.parsed : item.parsed.y);
          return item.dataset.label + ": " + formatter.format(value);
        }}}
      },
      scales: scales
    }
  });
  canvas.dataset.ready = "true";
  window.relataReportChart = chart;
});
