// Every Leaflet map of the product shares one setup, written once here: the public map
// (publicmap/map.js) and the small maps on forms (the report form's pin picker, reports/pin.js;
// drawing a place, community/draw.js; a request's area, assist/areamap.js). A map in `el`
// with the public map's base layer, read from the element's data- attributes
// (publicmap/basemap.py and publicmap/views.py write them): the configured tile URL and
// attribution, else the bundled streets (legible with no internet); fitted to the agency's
// area when the element has one (data-bounds "south,west,north,east"; else the caller sets
// the view). Animations are off for people who ask for reduced motion. Load after Leaflet,
// before the caller.
(function () {
  "use strict";
  window.PorchlightBaseMap = function (el, fitMaxZoom) {
    var d = el.dataset;
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var map = L.map(el, { minZoom: 9, maxZoom: 19, fadeAnimation: !still, zoomAnimation: !still });
    if (d.tiles) L.tileLayer(d.tiles, { attribution: d.attribution, maxZoom: 19 }).addTo(map);
    if (d.streets) {
      fetch(d.streets).then(function (r) { return r.json(); }).then(function (streets) {
        L.geoJSON(streets, {
          interactive: false, style: { color: "#5b6670", weight: 3, opacity: 0.8 }
        }).addTo(map).bringToBack();
      }).catch(function () { /* the map still works on a blank background; the page's own content is there */ });
    }
    if (d.bounds) {
      var b = d.bounds.split(",").map(Number);
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { maxZoom: fitMaxZoom });
    }
    return map;
  };
})();
