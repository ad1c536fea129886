// Analytics → Sales funnel: horizontal bars of the deals entering each stage, from the page's
// #funnel-data (json_script); a click on a bar opens the deal list filtered to that stage.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("funnel-data");
  var canvas = document.getElementById("funnel-chart");
  if (!source || !canvas) { return; }
  var data = JSON.parse(source.textContent);
  var language = document.documentElement.lang || undefined;
  var formatter = new Intl.NumberFormat(language, {maximumFractionDigits: 0});
  new window.Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{data: data.entered, backgroundColor: "#0d6efd"}]},
    options: {
      indexAxis: "y",
      responsive: true,
      locale: language,
      plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (item) { return formatter.format(item.parsed.x); }}}},
      scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
      onHover: function (event, elements) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; },
      onClick: function (_event, elements) {
        if (elements.length) { window.location.assign(data.urls[elements[0].index]); }
      }
    }
  });
});
