// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (evt) {
    var token = document.body && document.body.getAttribute("data-csrf");
    if (token) { evt.detail.headers["X-CSRF-Token"] = token; }
  });
  // Form errors come back as 422 with the form's block: swap them (see replan/web.py).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 422 || status === 429 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  function drawMaps(root) {
    if (typeof L === "undefined") { return; }
    var nodes = (root || document).querySelectorAll("#kb-map[data-points]");
    nodes.forEach(function (node) {
      if (node.dataset.ready) { return; }
      var points;
      try { points = JSON.parse(node.getAttribute("data-points")); } catch (e) { return; }
      if (!points.length) { return; }
      node.dataset.ready = "1";
      L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
      var map = L.map(node, { scrollWheelZoom: false });
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 18,
        attribution: "&copy; OpenStreetMap contributors"
      }).addTo(map);
      var bounds = [];
      points.forEach(function (p) {
        var marker = L.marker([p.lat, p.lon], { title: p.title, alt: p.title }).addTo(map);
        if (p.url) {
          var link = document.createElement("a");
          link.href = p.url;
          link.textContent = p.title;
          marker.bindPopup(link);
        }
        bounds.push([p.lat, p.lon]);
      });
      if (bounds.length === 1) { map.setView(bounds[0], 11); } else { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 }); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawMaps(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { drawMaps(evt.target); });
})();
