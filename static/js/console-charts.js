// Draws the console's charts: each <canvas data-chart="key"> from the JSON the page embeds
// (json_script) under the id named by the canvas's data-source, with Chart.js.
document.addEventListener("DOMContentLoaded", function () {
  var colours = ["#0d6efd", "#198754", "#dc3545", "#ffc107", "#6f42c1", "#20c997", "#fd7e14"];
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
    spec.datasets.forEach(function (set, index) {
      var colour = colours[index % colours.length];
      set.borderColor = colour;
      set.backgroundColor = spec.type === "bar" ? colour : colour + "33";
      set.spanGaps = true;
      set.tension = 0.2;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: spec.datasets},
      options: {
        responsive: true,
        plugins: {legend: {position: "bottom"}},
        scales: {y: {beginAtZero: true}}
      }
    });
  });
});
