// The station app's service worker: keeps the app's own files so it opens without a
// network (static/shared/offline_cache.js, shared with the observer's form). API requests
// are not touched: the page queues signed documents itself and sees every failure as it
// happens.
importScripts("./offline_cache.js");
const APP = [
  "/station/",
  "/station/app.js",
  "/station/poll-book",
  "/station/poll_book.js",
  "/station/canonical.js",
  "/station/device_enrolment.js",
  "/station/device_store.js",
  "/station/outbox_store.js",
  "/station/offline_cache.js",
  "/station/station.css",
  "/station/rules/evaluate.js",
  "/station/signing_key.js",
  // the Ed25519 fallback, for browsers whose WebCrypto lacks it, offline too
  "/station/vendor/noble-ed25519/index.js",
];
self.keepOffline("tallyroom-station-v4", APP, (url) => url.pathname.startsWith("/station/"));
