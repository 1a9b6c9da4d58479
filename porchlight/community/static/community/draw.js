// Drawing a place as an area on the "Add a place" page: each tap or click on the map adds a
// corner, the polygon follows, and the hidden "area" field gets it as GeoJSON once it has 3
// corners (the server checks it again: places.clean_area). "Undo last corner" and "Clear" are
// buttons, so the drawing can be corrected from the keyboard. An enhancement only: without
// JavaScript, Leaflet or an agency area the section stays hidden and the address or the
// latitude and longitude with a radius do the job. The base layer is the public map's
// (publicmap/basemap.js), the drawing publicmap/drawarea.js's.
(function () {
  "use strict";
  function init() {
    var section = document.getElementById("draw");
    var el = document.getElementById("draw-map");
    var field = document.getElementById("id_area");
    var status = document.getElementById("draw-status");
    if (!section || !el || !field || !status || !window.L || !window.PorchlightBaseMap || !window.PorchlightDrawArea) return;
    var d = el.dataset;
    section.hidden = false;
    // The base layer and the agency's area: publicmap/basemap.js.
    var map = PorchlightBaseMap(el, 15);

    // The corners, the polygon and its GeoJSON: publicmap/drawarea.js.
    var area = PorchlightDrawArea(map, function (n, geojson) {
      field.value = geojson;
      if (n >= 3) status.textContent = d.ready.replace("{n}", n);
      else status.textContent = n ? d.some.replace("{n}", n) : d.none;
    });
    map.on("click", function (e) { area.add(e.latlng); });
    document.getElementById("draw-undo").addEventListener("click", function () { area.undo(); });
    document.getElementById("draw-clear").addEventListener("click", function () { area.clear(); });
    area.render();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
