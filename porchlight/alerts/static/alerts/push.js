/* The "Notify this device" button ([data-push-subscribe]): asks the browser for permission,
   subscribes with the site's VAPID key, and posts the subscription to the server. */
"use strict";
(function () {
  const button = document.querySelector("[data-push-subscribe]");
  if (!button) return;
  const status = document.getElementById(button.getAttribute("aria-describedby") || "push-status");
  const say = (text) => { if (status) status.textContent = text; };
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    button.disabled = true;
    say(button.dataset.unsupported || "");
    return;
  }
  const csrf = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };
  const keyBytes = (base64url) => {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say(button.dataset.denied || ""); button.disabled = false; return; }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(button.dataset.pushSubscribe),
      });
      const response = await fetch(button.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(subscription.toJSON()),
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      say(button.dataset.done || "");
    } catch (error) {
      say(button.dataset.failed || "");
      button.disabled = false;
    }
  });
})();
