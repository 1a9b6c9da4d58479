// The area of a request for assistance picked on a map (console/assist/new): with "sets the
// centre" chosen, a click fills the centre's latitude and longitude fields and a circle of
// the radius field's metres follows (typing in the fields moves it too); with "adds a corner"
// chosen, clicks draw a polygon (publicmap/drawarea.js, as residents draw a place) whose
// GeoJSON fills the polygon field, and the centre is emptied, since the server takes a radius
// or a drawn area, not both. The map only fills the form's own fields: the server's checks and
// the agency's limits stay the one judge, and without JavaScript, Leaflet or an agency area
// the section stays hidden and the fields are typed. The radius drawn is clamped to the
// agency's limit (data-max), and a larger typed radius is brought down to it on change.
(function () {
  "use strict";
  function init() {
    var section = document.getElementById("area");
    var el = document.getElementById("area-map");
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var radius = document.getElementById("id_radius_m");
    var polygon = document.getElementById("id_polygon");
    var status = document.getElementById("area-status");
    if (!section || !el || !lat || !lon || !radius || !polygon || !status) return;
    if (!window.L || !window.PorchlightBaseMap || !window.PorchlightDrawArea) return;
    var d = el.dataset;
    var max = Number(d.max);
    section.hidden = false;
    var map = PorchlightBaseMap(el, 15);
    var circle = L.circle([0, 0], { radius: 1, color: "#0b5cad", weight: 3, fillOpacity: 0.15, interactive: false });
    var dot = L.circleMarker([0, 0], { radius: 6, color: "#0b5cad", weight: 2, fillOpacity: 1, interactive: false });

    function mode() {
      var picked = section.querySelector("input[name=area-mode]:checked");
      return picked ? picked.value : "circle";
    }
    function metres() {
      var r = Number(radius.value);
      return radius.value !== "" && r > 0 ? Math.min(r, max) : 0;
    }
    // The circle from the fields, whoever filled them.
    function showCircle() {
      var ok = lat.value !== "" && lon.value !== "" && isFinite(Number(lat.value)) && isFinite(Number(lon.value));
      if (!ok) { map.removeLayer(circle); map.removeLayer(dot); return false; }
      var ll = L.latLng(Number(lat.value), Number(lon.value));
      dot.setLatLng(ll).addTo(map);
      if (metres()) circle.setLatLng(ll).setRadius(metres()).addTo(map);
      else map.removeLayer(circle);
      return true;
    }
    function sayCircle() {
      status.textContent = showCircle() ? d.centre.replace("{r}", metres() || "?") : d.none;
    }

    var area = PorchlightDrawArea(map, function (n, geojson) {
      polygon.value = geojson;
      if (n >= 3) {
        // A drawn area replaces the centre (the server refuses both).
        lat.value = "";
        lon.value = "";
        showCircle();
        status.textContent = d.ready.replace("{n}", n);
      } else if (n) {
        status.textContent = d.some.replace("{n}", n);
      } else {
        sayCircle();
      }
    });

    map.on("click", function (e) {
      if (mode() === "polygon") { area.add(e.latlng); return; }
      if (area.count()) area.clear();
      polygon.value = "";
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      if (radius.value === "") radius.value = String(Math.min(Number(d.radius), max));
      sayCircle();
    });
    [lat, lon].forEach(function (f) { f.addEventListener("input", sayCircle); });
    radius.addEventListener("input", function () { if (!area.count()) sayCircle(); });
    radius.addEventListener("change", function () {
      if (Number(radius.value) > max) {
        radius.value = String(max);
        showCircle();
        status.textContent = d.limited.replace("{max}", max);
      }
    });
    document.getElementById("area-undo").addEventListener("click", function () { area.undo(); });
    document.getElementById("area-clear").addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      area.clear();
    });

    // Back from the server with an error: show what was sent.
    var sent = null;
    try { sent = polygon.value ? JSON.parse(polygon.value) : null; } catch (err) { sent = null; }
    if (sent && sent.type === "Polygon" && Array.isArray(sent.coordinates) && Array.isArray(sent.coordinates[0])) {
      section.querySelector("input[value=polygon]").checked = true;
      sent.coordinates[0].slice(0, -1).forEach(function (c) { area.add(L.latLng(c[1], c[0])); });
    } else {
      sayCircle();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
