/* The alert page's "Share…" button: the phone's own share sheet, or copying the link. */
"use strict";
(function () {
  const button = document.querySelector("[data-share-url]");
  if (!button) return;
  const status = document.getElementById("share-status");
  if (navigator.share || (navigator.clipboard && navigator.clipboard.writeText)) button.hidden = false;
  button.addEventListener("click", async () => {
    const url = button.dataset.shareUrl;
    try {
      if (navigator.share) {
        await navigator.share({ title: button.dataset.shareTitle, url: url });
      } else {
        await navigator.clipboard.writeText(url);
        if (status) status.textContent = button.dataset.copied;
      }
    } catch (error) { /* the person closed the share sheet */ }
  });
})();
