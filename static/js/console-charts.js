// Draws the console's charts: each <canvas data-chart="key"> from the JSON the page embeds
// (json_script) under the id named by the canvas's data-source, with Chart.js. Lines are straight
// between the points (a smoothed curve overshoots them and shows values that never were), axes
// and tooltips read numbers in the page's language, and a chart whose spec says "unit": "percent"
// labels its axis as percentages.
document.addEventListener("DOMContentLoaded", function () {
  var colours = ["#0d6efd", "#198754", "#dc3545", "#ffc107", "#6f42c1", "#20c997", "#fd7e14"];
  var language = document.documentElement.lang || undefined;
  var sources = {};
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var sourceId = canvas.dataset.source;
    if (!(sourceId in sources)) {
      var element = document.getElementById(sourceId);
      sources[sourceId] = element ? JSON.parse(element.textContent) : {};
    }
    var spec = sources[sourceId][canvas.dataset.chart];
    if (!spec || !window.Chart) {
      return;
    }
    var percent = spec.unit === "percent";
    // Percentages arrive as 0–100: the formatter wants fractions.
    var formatter = percent
      ? new Intl.NumberFormat(language, {style: "percent", maximumFractionDigits: 1})
      : new Intl.NumberFormat(language, {maximumFractionDigits: 2});
    var format = function (value) { return formatter.format(percent ? value / 100 : value); };
    spec.datasets.forEach(function (set, index) {
      var colour = colours[index % colours.length];
      set.borderColor = colour;
      set.backgroundColor = spec.type === "bar" ? colour : colour + "33";
      set.spanGaps = true;
      set.tension = 0;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: spec.datasets},
      options: {
        responsive: true,
        locale: language,
        plugins: {
          legend: {position: "bottom"},
          tooltip: {callbacks: {label: function (item) { return item.dataset.label + ": " + format(item.parsed.y); }}}
        },
        scales: {y: {beginAtZero: true, ticks: {callback: format}}}
      }
    });
  });
});
