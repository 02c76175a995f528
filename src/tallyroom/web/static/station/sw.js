// The station app's service worker: keeps the app's own files so it opens without a
// network. API requests are not touched: the page queues signed documents itself and sees
// every failure as it happens.
const CACHE = "tallyroom-station-v2";
const APP = [
  "/station/",
  "/station/app.js",
  "/station/canonical.js",
  "/station/device_store.js",
  "/station/station.css",
  "/station/rules/evaluate.js",
  "/station/signing_key.js",
  // the Ed25519 fallback, for browsers whose WebCrypto lacks it, offline too
  "/station/vendor/noble-ed25519/index.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(APP)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/station/")) return;
  // Network first, so a new version of the app arrives; the kept copy when there is none.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request, { ignoreSearch: true })),
  );
});
