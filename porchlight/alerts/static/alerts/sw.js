/* Porchlight's service worker: the offline page, and alerts shown as notifications.
   It caches only the offline page and its stylesheet: never a signed-in page, which could
   show one resident's data to the next person using a shared phone. */
"use strict";
const CACHE = "porchlight-offline-__VERSION__";
const OFFLINE_URL = "__OFFLINE_URL__";
const CSS_URL = "__CSS_URL__";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([OFFLINE_URL, CSS_URL])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(names.filter((name) => name.startsWith("porchlight-") && name !== CACHE).map((name) => caches.delete(name)))
    ).then(() => self.clients.claim())
  );
});

// Pages come from the network; with no network, the offline page (911, the non-emergency number).
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
  } else if (request.url.endsWith(CSS_URL)) {
    event.respondWith(fetch(request).catch(() => caches.match(CSS_URL)));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  const title = data.title || "Porchlight";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    data: { url: data.url || "/" },
    icon: "/static/alerts/icon-192.png",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  // Only our own pages: a payload cannot send the resident elsewhere.
  const target = new URL(url, self.location.origin);
  const safe = target.origin === self.location.origin ? target.href : self.location.origin + "/";
  event.waitUntil(self.clients.openWindow(safe));
});
