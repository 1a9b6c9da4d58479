// The console import's progress bar (console/import_progress.html): while the import runs,
// fetch the progress fragment every two seconds and swap it in. Served from our own origin:
// the CSP allows no inline script. Without JavaScript the page still says where it was when
// loaded, and reloading shows more.
"use strict";
(function () {
  const EVERY_MS = 2000;

  function poll() {
    const box = document.getElementById("import-progress");
    const url = box && box.dataset.poll;
    if (!url) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (reply) {
        return reply.ok ? reply.text() : Promise.reject(reply.status);
      })
      .then(function (html) {
        const next = new DOMParser().parseFromString(html, "text/html").getElementById("import-progress");
        if (next) {
          box.replaceWith(document.importNode(next, true));
        }
      })
      .catch(function () {})
      .finally(function () {
        setTimeout(poll, EVERY_MS);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setTimeout(poll, EVERY_MS);
  });
})();
