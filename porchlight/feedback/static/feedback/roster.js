// Applies the import a slice at a time, moving the bar, until it is done; then reloads to show
// the skipped rows. Without this script, the Continue button does the same one slice a click.
(function () {
  "use strict";
  var form = document.getElementById("roster-continue");
  var bar = document.getElementById("roster-bar");
  var count = document.querySelector(".roster-count");
  if (!form || !bar) return;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function step() {
    fetch(window.location.href, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
      credentials: "same-origin"
    }).then(function (r) { return r.json(); }).then(function (s) {
      bar.value = s.done;
      if (count) count.textContent = s.done + " / " + s.total;
      if (s.finished) { window.location.reload(); } else { step(); }
    });
  }
  step();
})();
