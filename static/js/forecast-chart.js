// Sales → Forecast: the bar chart of the figures in the page's #forecast-data (json_script).
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("forecast-data").textContent);
  var colours = ["#6c757d", "#198754", "#0d6efd", "#ffc107"];
  data.datasets.forEach(function (set, index) { set.backgroundColor = colours[index % colours.length]; });
  new window.Chart(document.getElementById("forecast-chart"), {
    type: "bar", data: data,
    options: {responsive: true, plugins: {legend: {position: "bottom"}}, scales: {y: {beginAtZero: true}}}
  });
});
