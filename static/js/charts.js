// Draws every chart on the page: each <div data-chart="ID"> gets the plotly figure held in the
// <script type="application/json" id="ID"> beside it (written by Django's json_script), so no
// page needs an inline script. Without JavaScript the tables next to the charts still show.
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, displaylogo: false };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // A trend chart marked from_table holds only its lines' styles: each line's figures are a
  // column of the table that says it holds them (reports/figures_table.py), in the same order,
  // with the period as each row's header ("Apr 2027"; "2023-24 AY" or "2023-24" for a year) and
  // figures as "1,234.50 (a note)" or "Not available: reason" (a gap in the line). A monthly
  // chart draws the month rows; a chart of years (a category axis) draws the rows as labelled.
  function fillFromTable(figure, id) {
    var table = document.querySelector('table[data-chart-figures="' + id + '"]');
    if (!table) {
      return;
    }
    var rows = table.tBodies[0].rows;
    var headings = table.tHead.rows[0].cells;
    var category = figure.layout.xaxis && figure.layout.xaxis.type === "category";
    // reports/charts.py _layout(): the same for every chart, so not sent with each one.
    figure.layout = Object.assign(
      {
        font: { family: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", size: 14 },
        margin: { l: 60, r: 20, t: 20, b: 60 },
        paper_bgcolor: "#ffffff",
        plot_bgcolor: "#ffffff",
        legend: { orientation: "h", y: -0.2 }
      },
      figure.layout
    );
    figure.data.forEach(function (trace, index) {
      // A line may name the column it is drawn from (the stock and flow table); else the
      // lines are the columns after the period, in order.
      var column = (trace.column || index + 1) - 1;
      delete trace.column;
      trace.name = headings[column + 1] ? headings[column + 1].textContent : "";
      trace.x = [];
      trace.y = [];
      for (var r = 0; r < rows.length; r++) {
        var cell = rows[r].cells[column + 1];
        var text = cell ? cell.textContent : "";
        if (text === "") {
          continue;
        }
        var label = rows[r].cells[0].textContent;
        var x = label;
        if (!category) {
          var month = label.split(" ");
          var number = MONTHS.indexOf(month[0]) + 1;
          if (month.length !== 2 || number === 0) {
            continue; // a year's figure: not on a monthly chart
          }
          x = month[1] + "-" + (number < 10 ? "0" : "") + number + "-01";
        }
        trace.x.push(x);
        var y = text.indexOf("Not available") === 0 ? null : parseFloat(text.replace(/,/g, ""));
        trace.y.push(y === null || isNaN(y) ? null : y);
      }
    });
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    if (figure.from_table) {
      fillFromTable(figure, element.getAttribute("data-chart"));
    }
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      element.classList.add("app-chart--drawn");
    });
  }

  function drawAll(root) {
    var charts = (root || document).querySelectorAll("[data-chart]");
    for (var i = 0; i < charts.length; i++) {
      draw(charts[i]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  // Charts in a fragment swapped in by htmx are drawn too.
  document.addEventListener("htmx:afterSwap", function (event) {
    drawAll(event.target);
  });
})();
