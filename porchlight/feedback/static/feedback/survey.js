// Saves each answer as it changes (the survey keeps what was given even if the page is left),
// and says so in the status line. Without this script the form still works: one submit.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = form.querySelector(".survey-saved");
  var timers = {};
  function save(field) {
    var body = new URLSearchParams();
    body.append("autosave", "1");
    body.append(field.name, field.type === "radio" ? (form.querySelector("input[name='" + field.name + "']:checked") || {}).value || "" : field.value);
    fetch(window.location.href, { method: "POST", body: body, credentials: "omit" }).then(function (r) {
      if (status) status.textContent = r.ok ? (document.documentElement.lang === "es" ? "Guardado." : "Saved.") : "";
    });
  }
  form.addEventListener("change", function (e) { if (e.target.name) save(e.target); });
  form.addEventListener("input", function (e) {
    var f = e.target;
    if (f.tagName !== "TEXTAREA") return;
    clearTimeout(timers[f.name]);
    timers[f.name] = setTimeout(function () { save(f); }, 800);
  });
})();
