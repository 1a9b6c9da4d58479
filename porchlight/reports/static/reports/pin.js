// The map pin picker on the online report form: a tap or click on the map places a draggable
// pin and fills the hidden lat/lon fields, the same fields "use my current location" fills.
// An enhancement only: without JavaScript, Leaflet, or an agency area the map stays hidden and
// the address field and the location button do the job (keyboard users keep both). The base
// layer is the public map's (publicmap/basemap.js): the configured tiles, else the bundled
// streets.
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("pin-map");
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    var status = document.getElementById("locate-status");
    if (!el || !lat || !lon || !status || !window.L || !window.PorchlightBaseMap) return;
    var d = el.dataset;
    el.hidden = false;
    var hint = document.getElementById("pin-hint");
    if (hint) hint.hidden = false;
    // The base layer and the agency's area: publicmap/basemap.js.
    var map = PorchlightBaseMap(el, 16);

    var pin = null;
    function draw(ll) {
      if (pin) { pin.setLatLng(ll); return; }
      pin = L.marker(ll, { draggable: true, alt: d.pin, title: d.pin }).addTo(map);
      pin.on("dragend", function () { fill(pin.getLatLng()); });
    }
    function fill(ll) {
      lat.value = ll.lat.toFixed(6);
      lon.value = ll.lng.toFixed(6);
      status.textContent = d.placed;
      // locate.js listens, to offer "Remove my location" for the pin too.
      lat.dispatchEvent(new Event("change"));
    }
    map.on("click", function (e) { draw(e.latlng); fill(e.latlng); });
    // The location button filled the fields, or "remove" cleared them: follow along.
    lat.addEventListener("change", function () {
      if (lat.value !== "" && lon.value !== "") {
        var ll = L.latLng(Number(lat.value), Number(lon.value));
        draw(ll);
        if (!map.getBounds().contains(ll)) map.panTo(ll);
      } else if (pin) {
        map.removeLayer(pin);
        pin = null;
      }
    });
    if (lat.value !== "" && lon.value !== "") draw(L.latLng(Number(lat.value), Number(lon.value)));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
