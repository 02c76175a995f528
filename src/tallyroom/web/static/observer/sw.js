// The observer's form's service worker: keeps the form's scripts, the site's style and a
// page that holds nothing of anyone (/observer/offline), so that the form's address opens
// without a network (static/shared/offline_cache.js, shared with the station app). The
// signed-in page itself (/observer, the observer's badge, stations and forms) is never kept:
// it comes from the network or, offline, the empty page answers instead — a shared phone
// shows nothing of the last observer. What the observer sends waits in the page's own outbox.
importScripts("./offline_cache.js");
self.keepOffline(
  "tallyroom-observer-v2",
  [
    "/observer/offline",
    "/observer/app/observer.js",
    "/observer/app/outbox_store.js",
    "/static/site.css",
  ],
  (url) => url.pathname === "/observer/offline" || url.pathname.startsWith("/observer/app/")
    || url.pathname === "/static/site.css",
  (url) => url.pathname === "/observer",
  "/observer/offline",
);
