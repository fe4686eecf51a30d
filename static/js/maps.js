// Maps (Leaflet), progressive enhancement only: every page works without this file.
// The tile URL and its credit come from data attributes printed from the settings
// (REPLAN_MAP_TILES, REPLAN_MAP_ATTRIBUTION), so that the CSP and the script name the same origin.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";

  function baseMap(node, options) {
    var map = L.map(node, options || { scrollWheelZoom: false });
    var url = node.getAttribute("data-tiles");
    if (url) {
      var credit = document.createElement("span");
      credit.textContent = node.getAttribute("data-attribution") || "";
      L.tileLayer(url, { maxZoom: 18, attribution: credit.innerHTML }).addTo(map);
    }
    return map;
  }

  // Cluster icons are buttons: give each a name ("12 case studies"), not only a number.
  function clusterIcon(label) {
    return function (cluster) {
      var n = cluster.getChildCount();
      var size = n < 10 ? "small" : (n < 100 ? "medium" : "large");
      var text = document.createElement("span");
      text.textContent = " " + label;
      return L.divIcon({
        html: "<div><span>" + n + '<span class="visually-hidden">' + text.innerHTML + "</span></span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40)
      });
    };
  }

  function showPoints(node, points) {
    if (!points.length) { node.hidden = true; return; }
    node.hidden = false;
    var map = baseMap(node);
    var layer = (L.markerClusterGroup && points.length > 1)
      ? L.markerClusterGroup({ iconCreateFunction: clusterIcon(node.getAttribute("data-cluster-label") || "") })
      : L.featureGroup();
    points.forEach(function (p) {
      var marker = L.marker([p.lat, p.lon], { title: p.title, alt: p.title });
      if (p.url) {
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        marker.bindPopup(link);
      }
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 11);
    } else {
      map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 11 });
    }
  }

  function drawMaps(root) {
    (root || document).querySelectorAll("#kb-map").forEach(function (node) {
      if (node.dataset.ready) { return; }
      node.dataset.ready = "1";
      var url = node.getAttribute("data-points-url");
      if (url) {
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (answer) { return answer.ok ? answer.json() : { points: [] }; })
          .then(function (data) { showPoints(node, data.points || []); })
          .catch(function () { node.hidden = true; });
        return;
      }
      try { showPoints(node, JSON.parse(node.getAttribute("data-points") || "[]")); } catch (e) { node.hidden = true; }
    });
  }

  // A map to pick a location: clicking it fills the latitude and longitude fields, typing in
  // them moves the marker. The fields stay the primary input (keyboard, screen readers, no JS).
  function drawPickers(root) {
    (root || document).querySelectorAll("[data-map-picker]").forEach(function (node) {
      if (node.dataset.ready) { return; }
      var lat = document.getElementById(node.getAttribute("data-lat"));
      var lon = document.getElementById(node.getAttribute("data-lon"));
      var area = node.querySelector(".map");
      if (!lat || !lon || !area) { return; }
      node.dataset.ready = "1";
      node.hidden = false;
      var map = baseMap(area, { scrollWheelZoom: false, keyboard: false });
      var marker = null, picking = false;
      function read() {
        var y = parseFloat(lat.value.replace(",", ".")), x = parseFloat(lon.value.replace(",", "."));
        return (isFinite(y) && isFinite(x) && Math.abs(y) <= 90 && Math.abs(x) <= 180) ? [y, x] : null;
      }
      function place(at, zoom) {
        if (!at) { if (marker) { map.removeLayer(marker); marker = null; } return; }
        if (marker) { marker.setLatLng(at); } else { marker = L.marker(at, { keyboard: false, interactive: false }).addTo(map); }
        map.setView(at, zoom || Math.max(map.getZoom(), 12));
      }
      map.setView([50, 10], 3);  // Europe, until a location is known
      place(read(), 12);
      map.on("click", function (evt) {
        lat.value = evt.latlng.lat.toFixed(5);
        lon.value = L.Util.wrapNum(evt.latlng.lng, [-180, 180], true).toFixed(5);
        picking = true;  // tell other scripts (unsaved edits) without moving the map here
        [lat, lon].forEach(function (input) { input.dispatchEvent(new Event("change", { bubbles: true })); });
        picking = false;
        place(read(), map.getZoom());
      });
      [lat, lon].forEach(function (input) {
        input.addEventListener("change", function () { if (!picking) { place(read()); } });
      });
    });
  }

  function draw(root) { drawMaps(root); drawPickers(root); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (evt) { draw(evt.target); });
})();
