// Drawing an area by corners on a Leaflet map, written once for the forms that draw one (a
// resident's place, community/draw.js; a request for assistance, assist/areamap.js): each
// add(latlng) puts a corner, the polygon follows, and onChange(n, geojson) hears the number
// of corners and, from 3 corners on, the GeoJSON Polygon (longitude, latitude to 6 decimals,
// the ring closed) for the form's field, else "". The server checks the shape again; this
// only draws. undo() and clear() are for the page's buttons, so a drawing can be corrected
// from the keyboard. Load after Leaflet, before the caller.
(function () {
  "use strict";
  window.PorchlightDrawArea = function (map, onChange) {
    var corners = [];
    var marks = L.layerGroup().addTo(map);
    var shape = L.polygon([], { color: "#0b5cad", weight: 3, fillOpacity: 0.15, interactive: false }).addTo(map);
    function render() {
      marks.clearLayers();
      corners.forEach(function (ll) {
        L.circleMarker(ll, { radius: 6, color: "#0b5cad", weight: 2, fillOpacity: 1, interactive: false }).addTo(marks);
      });
      shape.setLatLngs(corners);
      var geojson = "";
      if (corners.length >= 3) {
        var ring = corners.map(function (ll) { return [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))]; });
        ring.push(ring[0]);
        geojson = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      }
      onChange(corners.length, geojson);
    }
    return {
      add: function (ll) { corners.push(ll); render(); },
      undo: function () { corners.pop(); render(); },
      clear: function () { corners = []; render(); },
      render: render,
      count: function () { return corners.length; }
    };
  };
})();
