// The station app's service worker: keeps the app's own files so it opens without a
// network (static/shared/offline_cache.js, shared with the observer's form).
importScripts("./offline_cache.js");
self.keepOffline(
  "tallyroom-station-v2",
  [
    "/station/",
    "/station/app.js",
    "/station/canonical.js",
    "/station/device_store.js",
    "/station/outbox_store.js",
    "/station/station.css",
    "/station/rules/evaluate.js",
  ],
  (url) => url.pathname.startsWith("/station/"),
);
