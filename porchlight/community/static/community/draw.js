// Drawing a place as an area on the "Add a place" page: each tap or click on the map adds a
// corner, the polygon follows, and the hidden "area" field gets it as GeoJSON once it has 3
// corners (the server checks it again: places.clean_area). "Undo last corner" and "Clear" are
// buttons, so the drawing can be corrected from the keyboard. An enhancement only: without
// JavaScript, Leaflet or an agency area the section stays hidden and the address or the
// latitude and longitude with a radius do the job. The base layer is the public map's
// (publicmap/basemap.js).
(function () {
  "use strict";
  function init() {
    var section = document.getElementById("draw");
    var el = document.getElementById("draw-map");
    var field = document.getElementById("id_area");
    var status = document.getElementById("draw-status");
    if (!section || !el || !field || !status || !window.L || !window.PorchlightBaseMap) return;
    var d = el.dataset;
    section.hidden = false;
    // The base layer and the agency's area: publicmap/basemap.js.
    var map = PorchlightBaseMap(el, 15);

    var corners = [];
    var marks = L.layerGroup().addTo(map);
    var shape = L.polygon([], { color: "#0b5cad", weight: 3, fillOpacity: 0.15, interactive: false }).addTo(map);
    function render() {
      marks.clearLayers();
      corners.forEach(function (ll) {
        L.circleMarker(ll, { radius: 6, color: "#0b5cad", weight: 2, fillOpacity: 1, interactive: false }).addTo(marks);
      });
      shape.setLatLngs(corners);
      if (corners.length >= 3) {
        var ring = corners.map(function (ll) { return [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))]; });
        ring.push(ring[0]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
        status.textContent = d.ready.replace("{n}", corners.length);
      } else {
        field.value = "";
        status.textContent = corners.length ? d.some.replace("{n}", corners.length) : d.none;
      }
    }
    map.on("click", function (e) { corners.push(e.latlng); render(); });
    document.getElementById("draw-undo").addEventListener("click", function () { corners.pop(); render(); });
    document.getElementById("draw-clear").addEventListener("click", function () { corners = []; render(); });
    render();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
