// "Use my current location" on the online report form: the phone's position fills the hidden
// lat/lon fields (the pin), so a reporter who does not know the address can still say where.
// Without JavaScript or geolocation the buttons stay hidden and the address field does the job.
(function () {
  "use strict";
  function init() {
    var locate = document.getElementById("locate");
    var unlocate = document.getElementById("unlocate");
    var status = document.getElementById("locate-status");
    var lat = document.getElementById("id_lat");
    var lon = document.getElementById("id_lon");
    if (!locate || !unlocate || !status || !lat || !lon || !navigator.geolocation) return;
    function show(hasPoint) {
      locate.hidden = hasPoint;
      unlocate.hidden = !hasPoint;
    }
    show(lat.value !== "" && lon.value !== "");
    if (lat.value !== "") status.textContent = locate.dataset.found;
    // A pin placed on the map (pin.js) can be removed with the same button.
    lat.addEventListener("change", function () { show(lat.value !== "" && lon.value !== ""); });
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.working;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lon.value = position.coords.longitude.toFixed(6);
          status.textContent = locate.dataset.found;
          show(true);
          lat.dispatchEvent(new Event("change")); // pin.js moves the map's pin here
        },
        function () {
          status.textContent = locate.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
    unlocate.addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      status.textContent = "";
      show(false);
      lat.dispatchEvent(new Event("change")); // pin.js takes the map's pin away
      locate.focus();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
