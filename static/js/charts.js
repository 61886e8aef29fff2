// Draws every chart on the page: each <div data-chart="ID"> gets the plotly figure held in the
// <script type="application/json" id="ID"> beside it (written by Django's json_script), so no
// page needs an inline script. Without JavaScript the tables next to the charts still show.
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true, displaylogo: false };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
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
