// Analytics → Sales by product, segment and region: horizontal bars of the won revenue per group,
// from the page's #breakdown-data (json_script); a click on a bar opens the group's won deals.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("breakdown-data");
  var canvas = document.getElementById("breakdown-chart");
  if (!source || !canvas) { return; }
  var data = JSON.parse(source.textContent);
  var language = document.documentElement.lang || undefined;
  var formatter = new Intl.NumberFormat(language, {style: "currency", currency: data.currency, maximumFractionDigits: 0});
  new window.Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{data: data.revenue, backgroundColor: "#0d6efd"}]},
    options: {
      indexAxis: "y",
      responsive: true,
      locale: language,
      plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (item) { return formatter.format(item.parsed.x); }}}},
      scales: {x: {beginAtZero: true, ticks: {callback: function (value) { return formatter.format(value); }}}},
      onHover: function (event, elements) { event.native.target.style.cursor = elements.length ? "pointer" : "default"; },
      onClick: function (_event, elements) {
        if (elements.length && data.urls[elements[0].index]) { window.location.assign(data.urls[elements[0].index]); }
      }
    }
  });
});
