// The observer's form's service worker: keeps the form, its scripts and the site's style
// so that the form opens without a network (static/shared/offline_cache.js, shared with the
// station app). What the observer sends waits in the page's own outbox.
importScripts("./offline_cache.js");
self.keepOffline(
  "tallyroom-observer-v1",
  [
    "/observer",
    "/observer/app/observer.js",
    "/observer/app/outbox_store.js",
    "/static/site.css",
  ],
  (url) => url.pathname === "/observer" || url.pathname.startsWith("/observer/app/")
    || url.pathname === "/static/site.css",
);
