// Sales → Forecast: the bar chart of the figures in the page's #forecast-data (json_script), its
// axis and tooltips in the page language's number format.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("forecast-data").textContent);
  var language = document.documentElement.lang || undefined;
  var formatter = new Intl.NumberFormat(language, {maximumFractionDigits: 0});
  var colours = ["#6c757d", "#198754", "#0d6efd", "#ffc107"];
  data.datasets.forEach(function (set, index) { set.backgroundColor = colours[index % colours.length]; });
  new window.Chart(document.getElementById("forecast-chart"), {
    type: "bar", data: data,
    options: {
      responsive: true,
      maintainAspectRatio: false,  // the height is the .chart-box's, so a phone's chart is not a sliver
      locale: language,
      plugins: {
        legend: {position: "bottom"},
        tooltip: {callbacks: {label: function (item) { return item.dataset.label + ": " + formatter.format(item.parsed.y); }}}
      },
      scales: {y: {beginAtZero: true, ticks: {callback: function (value) { return formatter.format(value); }}}}
    }
  });
});
