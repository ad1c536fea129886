// Analytics → a dashboard: the grid (gridstack; the owner drags and resizes widgets, and the new
// layout is POSTed at once, from a phone's one-column view too), the shared filters, and each widget's figures fetched from its own
// endpoint. A filter change reloads only the widgets that honour that filter (config.widgets[].filters:
// "period", "owner"). Figures are drawn as a KPI, a Chart.js chart (series in two units get two
// axes) or a table; a click on a KPI, bar, point, slice or row opens the list of its records.
(function () {
  "use strict";
  var charts = {};
  var language = document.documentElement.lang || undefined;
  var plain = new Intl.NumberFormat(language, {maximumFractionDigits: 2});
  var colours = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#6c757d"];

  function format(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    if (/^[A-Z]{3}$/.test(unit || "")) {
      try {
        return new Intl.NumberFormat(language, {style: "currency", currency: unit, maximumFractionDigits: 0}).format(value);
      } catch (error) { return plain.format(value) + " " + unit; }
    }
    if (unit === "%") { return plain.format(value) + " %"; }
    return plain.format(value) + (unit ? " " + unit : "");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function link(url, child) {
    if (!url) { return child; }
    var anchor = element("a", "text-reset");
    anchor.href = url;
    anchor.appendChild(child);
    return anchor;
  }

  function drawKpi(body, data, labels) {
    var box = element("div", "d-flex flex-column justify-content-center h-100");
    var value = element("div", "display-6 fw-semibold", format(data.value, data.unit));
    value.dataset.kpi = "value";
    box.appendChild(link(data.url, value));
    if (data.change !== null && data.change !== undefined) {
      var up = data.change >= 0;
      var change = element("div", "small " + (up ? "text-success" : "text-danger"),
        (up ? "▲ +" : "▼ ") + plain.format(data.change) + " % " + labels.previous + " (" + format(data.previous, data.unit) + ")");
      change.dataset.kpi = "change";
      box.appendChild(change);
    }
    body.appendChild(box);
  }

  function drawTable(body, data) {
    var wrapper = element("div", "table-responsive h-100");
    var table = element("table", "table table-sm mb-0");
    var head = element("tr");
    data.columns.forEach(function (column) { head.appendChild(element("th", "", column)); });
    table.appendChild(element("thead")).appendChild(head);
    var rows = table.appendChild(element("tbody"));
    data.rows.forEach(function (row) {
      var cells = data.row_urls ? row.slice(0, -1) : row;
      var url = data.row_urls ? row[row.length - 1] : null;
      var line = element("tr");
      cells.forEach(function (cell, index) {
        var unit = (data.column_units || [])[index];
        var text = typeof cell === "number" ? (unit ? format(cell, unit) : plain.format(cell)) : (cell === null ? "" : String(cell));
        var td = element("td", typeof cell === "number" ? "text-end" : "");
        td.appendChild(index === 0 ? link(url, document.createTextNode(text)) : document.createTextNode(text));
        line.appendChild(td);
      });
      rows.appendChild(line);
    });
    wrapper.appendChild(table);
    body.appendChild(wrapper);
  }

  function drawChart(body, data, id) {
    var funnel = data.display === "funnel";
    var pie = data.display === "pie";
    var type = funnel ? "bar" : data.display;
    var labels = [];
    data.series.forEach(function (series) {
      series.points.forEach(function (point) { if (labels.indexOf(point.label) < 0) { labels.push(point.label); } });
    });
    var units = [];
    data.series.forEach(function (series) { if (units.indexOf(series.unit) < 0) { units.push(series.unit); } });
    var urls = [];
    var datasets = data.series.map(function (series, index) {
      var byLabel = {};
      series.points.forEach(function (point) { byLabel[point.label] = point; });
      urls.push(labels.map(function (label) { return byLabel[label] ? byLabel[label].url : null; }));
      var colour = colours[index % colours.length];
      var set = {
        label: series.name,
        data: labels.map(function (label) { return byLabel[label] ? byLabel[label].value : null; }),
        backgroundColor: pie ? labels.map(function (_label, point) { return colours[point % colours.length]; }) : colour,
        borderColor: pie ? "#fff" : colour,
        unit: series.unit
      };
      if (!pie && units.length > 1) { set[funnel ? "xAxisID" : "yAxisID"] = units.indexOf(series.unit) === 0 ? "y" : "y1"; }
      return set;
    });
    var canvas = element("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", data.title || "");
    var holder = element("div", "position-relative h-100");
    holder.appendChild(canvas);
    if (pie) {
      // Chart.js draws a pie's legend inside the canvas, where a small widget cuts it off: the
      // legend is a list beside (or, in a tall widget, under) the pie instead, scrolling when long.
      var wideBox = body.clientWidth >= body.clientHeight * 1.3;
      var frame = element("div", "d-flex h-100 gap-2 " + (wideBox ? "flex-row" : "flex-column"));
      frame.dataset.pieLegend = wideBox ? "beside" : "under";
      holder.className = "position-relative flex-grow-1";
      holder.style.minWidth = "0";
      holder.style.minHeight = "0";
      var legend = element("ul", "list-unstyled small mb-0 overflow-auto flex-shrink-0");
      legend.style.maxWidth = wideBox ? "45%" : "";
      legend.style.maxHeight = wideBox ? "" : "40%";
      legend.dataset.legend = "pie";
      var series = data.series[0];
      labels.forEach(function (label, index) {
        var point = series.points.filter(function (candidate) { return candidate.label === label; })[0];
        var row = element("li", "d-flex align-items-center gap-1 text-nowrap");
        var swatch = element("span", "d-inline-block flex-shrink-0 rounded-1");
        swatch.style.width = swatch.style.height = "0.7rem";
        swatch.style.backgroundColor = colours[index % colours.length];
        row.appendChild(swatch);
        var text = element("span", "text-truncate", label + " · " + format(point ? point.value : null, series.unit));
        text.title = label;
        row.appendChild(link(point && point.url, text));
        legend.appendChild(row);
      });
      frame.appendChild(holder);
      frame.appendChild(legend);
      body.appendChild(frame);
    } else {
      body.appendChild(holder);
    }
    var scales = {};
    if (!pie) {
      var valueAxis = funnel ? "x" : "y";
      scales[valueAxis] = {beginAtZero: true, ticks: {callback: function (value) { return format(value, units[0]); }}};
      if (units.length > 1) {
        scales.y1 = {position: "right", beginAtZero: true, grid: {drawOnChartArea: false},
                     ticks: {callback: function (value) { return format(value, units[1]); }}};
      }
    }
    charts[id] = new window.Chart(canvas, {
      type: type,
      data: {labels: labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, locale: language, indexAxis: funnel ? "y" : "x",
        elements: {line: {tension: 0}},
        onClick: function (_event, found) {
          if (!found.length) { return; }
          var url = (urls[found[0].datasetIndex] || [])[found[0].index];
          if (url) { window.location.assign(url); }
        },
        onHover: function (event, found) {
          var url = found.length && (urls[found[0].datasetIndex] || [])[found[0].index];
          event.native.target.style.cursor = url ? "pointer" : "default";
        },
        plugins: {
          legend: {display: !pie && datasets.length > 1, position: "bottom"},
          tooltip: {callbacks: {label: function (item) {
            var value = pie ? item.parsed : (funnel ? item.parsed.x : item.parsed.y);
            return item.dataset.label + ": " + format(value, item.dataset.unit);
          }}}
        },
        scales: scales
      }
    });
    canvas.dataset.ready = "true";
  }

  // "Updated 2 minutes ago" / "Rebuilding" in the widget's header (nothing for figures read now).
  function showFreshness(id, data, labels) {
    var note = document.querySelector('[data-widget-freshness="' + id + '"]');
    if (!note) { return; }
    var text = (data && data.freshness_text) || "";
    note.textContent = text;
    note.hidden = !text;
    note.dataset.freshness = (data && data.freshness) || "";
    var explained = {rebuilding: labels.rebuilding, rollup: labels.rollup}[note.dataset.freshness] || "";
    note.title = data && data.as_of
      ? (explained ? explained + " " : "") + new Date(data.as_of).toLocaleString(language) : "";
  }

  function show(body, id, status, data, labels) {
    if (charts[id]) { charts[id].destroy(); delete charts[id]; }
    body.textContent = "";
    showFreshness(id, status === 200 ? data : null, labels);
    if (status !== 200) {
      body.dataset.state = "error";
      body.appendChild(element("p", "text-danger small mb-0", (data && data.message) || labels.failed));
      return;
    }
    if (data.empty) {
      body.dataset.state = "empty";
      body.appendChild(element("p", "text-body-secondary small mb-0", labels.empty));
      return;
    }
    body.dataset.state = "ready";
    if (data.display === "kpi") { drawKpi(body, data, labels); }
    else if (data.display === "table" || data.display === "leaderboard") { drawTable(body, data); }
    else { drawChart(body, data, id); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var configElement = document.getElementById("dashboard-config");
    var gridElement = document.getElementById("dashboard-grid");
    var form = document.getElementById("dashboard-filters");
    if (!configElement || !gridElement || !form) { return; }
    var config = JSON.parse(configElement.textContent);
    var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
    var labels = {
      loading: gridElement.dataset.labelLoading, empty: gridElement.dataset.labelEmpty,
      failed: gridElement.dataset.labelFailed, previous: gridElement.dataset.labelPrevious,
      rebuilding: gridElement.dataset.labelRebuilding, rollup: gridElement.dataset.labelRollup
    };
    // Every widget request and every chart, for the page's tests: [widget id, query string].
    window.relataDashboardRequests = [];
    window.relataDashboardCharts = charts;

    function currentFilters() {
      var period = form.elements.period.value;
      var who = form.elements.who.value.split(":");
      var filters = {period: {}, owner: {}};
      if (period === "custom") {
        if (form.elements.start.value) { filters.period.start = form.elements.start.value; }
        if (form.elements.end.value) { filters.period.end = form.elements.end.value; }
      } else { filters.period.period = period; }
      if (who.length === 2) { filters.owner[who[0]] = who[1]; }
      return filters;
    }

    function query(filters) {
      var params = new URLSearchParams();
      ["period", "owner"].forEach(function (group) {
        Object.keys(filters[group]).forEach(function (name) { params.set(name, filters[group][name]); });
      });
      return params.toString();
    }

    function load(widget, filters) {
      var body = gridElement.querySelector('[data-widget-body="' + widget.id + '"]');
      if (!body || !widget.allowed) { return; }
      var search = query(filters);
      window.relataDashboardRequests.push([widget.id, search]);
      body.dataset.state = "loading";
      fetch(widget.data_url + (search ? "?" + search : ""), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) {
          return response.json().then(function (data) { return [response.status, data]; }, function () { return [response.status, null]; });
        })
        .then(function (answer) { show(body, widget.id, answer[0], answer[1], labels); })
        .catch(function () { show(body, widget.id, 0, null, labels); });
    }

    var shown = currentFilters();
    config.widgets.forEach(function (widget) { load(widget, shown); });

    function filtersChanged() {
      var custom = form.elements.period.value === "custom";
      form.querySelectorAll("[data-custom-range]").forEach(function (node) { node.hidden = !custom; });
      var next = currentFilters();
      var changed = ["period", "owner"].filter(function (group) {
        return JSON.stringify(next[group]) !== JSON.stringify(shown[group]);
      });
      shown = next;
      var search = query(next);
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
      config.widgets.forEach(function (widget) {
        if (changed.some(function (group) { return widget.filters.indexOf(group) >= 0; })) { load(widget, next); }
      });
    }
    form.addEventListener("change", filtersChanged);
    // The owner picker's choice (or its emptied box) is no change event: it says so itself.
    form.addEventListener("picked", filtersChanged);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    var grid = window.GridStack.init({
      column: 12, cellHeight: 90, margin: 6, float: false, handle: ".widget-drag",
      disableDrag: !config.editable, disableResize: !config.editable,
      columnOpts: {breakpointForWindow: true, breakpoints: [{w: 768, c: 1}]}
    }, gridElement);
    gridElement.dataset.ready = "true";
    // The 12-column layout as saved, by widget id: a phone's one-column view is derived from it.
    var wide = {};
    config.widgets.forEach(function (widget) { wide[String(widget.id)] = widget.place; });
    var column = grid.getColumn();
    var restoring = false;

    function saveLayout() {
      var widgets = Object.keys(wide).map(function (id) {
        var place = wide[id];
        return {id: Number(id), x: place.x, y: place.y, width: place.w, height: place.h};
      });
      fetch(config.layout_url, {
        method: "POST", credentials: "same-origin", body: JSON.stringify({widgets: widgets}),
        headers: {"X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json"}
      }).then(function (response) {
        gridElement.dataset.layoutSaved = response.ok ? "saved" : "refused";
      });
    }

    // A move on a phone changes the order of the widgets: the 12-column grid takes the same
    // order, each widget keeping its width and at the height it has now, placed at the first
    // place after the one before it where it fits (left to right, then row by row).
    function reflowed(order, heights) {
      var taken = {};
      function free(x, y, w, h) {
        for (var row = y; row < y + h; row++) {
          for (var col = x; col < x + w; col++) { if (taken[row + ":" + col]) { return false; } }
        }
        return true;
      }
      var placed = {};
      var fromX = 0, fromY = 0;
      order.forEach(function (id) {
        var w = Math.min(wide[id].w, 12), h = heights[id] || wide[id].h;
        for (var y = fromY; ; y++) {
          var x = y === fromY ? fromX : 0;
          for (; x + w <= 12; x++) {
            if (free(x, y, w, h)) {
              for (var row = y; row < y + h; row++) { for (var col = x; col < x + w; col++) { taken[row + ":" + col] = true; } }
              placed[id] = {x: x, y: y, w: w, h: h};
              fromX = x + w; fromY = y;
              return;
            }
          }
        }
      });
      return placed;
    }

    // The window crossed 768 px: gridstack rearranged the grid for its new width; nothing was
    // moved. Back on 12 columns, show the layout as saved (a phone may have changed it).
    function columnSwitched() {
      var now = grid.getColumn();
      if (now === column) { return false; }
      column = now;
      if (now === 12) {
        restoring = true;
        grid.batchUpdate();
        grid.getGridItems().forEach(function (item) {
          var place = wide[item.gridstackNode.id];
          if (place) { grid.update(item, place); }
        });
        grid.batchUpdate(false);
        restoring = false;
      }
      return true;
    }
    window.addEventListener("resize", columnSwitched);

    grid.on("change", function () {
      if (!config.editable || restoring || columnSwitched()) { return; }
      var now = column;
      var items = grid.save(false);
      if (now === 12) {
        items.forEach(function (item) {
          wide[item.id] = {x: item.x || 0, y: item.y || 0, w: item.w || 1, h: item.h || 1};
        });
      } else {
        items.sort(function (a, b) { return (a.y || 0) - (b.y || 0) || (a.x || 0) - (b.x || 0); });
        var heights = {};
        items.forEach(function (item) { heights[item.id] = item.h || 1; });
        wide = reflowed(items.map(function (item) { return String(item.id); }), heights);
      }
      saveLayout();
    });
    // Charts follow their widget's new size.
    grid.on("resizestop", function (_event, item) {
      var id = Number(item.getAttribute("gs-id"));
      if (charts[id]) { charts[id].resize(); }
    });
  });
})();
