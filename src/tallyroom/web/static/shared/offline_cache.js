// Shared by the service workers of the station app and the observer's form (importScripts):
// keep the given files, answer the pages and files this worker handles network first, and
// from the kept copy when there is no network. Requests other than GET are never touched:
// the page queues what it sends in its own outbox and sees every failure as it happens.
// `personal` (optional) names the pages that carry a signed-in person's content: those are
// never kept (network only); without a network they are answered with the kept `fallback`
// page, which holds nothing of anyone. A response marked `Cache-Control: private` is never
// kept either, whatever its address.
self.keepOffline = function keepOffline(cacheName, files, handles, personal = null, fallback = null) {
  const keepable = (response) => response.ok
    && !/\bprivate\b/i.test(response.headers.get("Cache-Control") || "");
  self.addEventListener("install", (event) => {
    event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll(files)).then(() => self.skipWaiting()));
  });
  self.addEventListener("activate", (event) => {
    event.waitUntil(
      caches.keys()
        .then((names) => Promise.all(
          names.filter((name) => name.startsWith(cacheName.replace(/-v\d+$/, "")) && name !== cacheName)
            .map((name) => caches.delete(name)),
        ))
        .then(() => self.clients.claim()),
    );
  });
  self.addEventListener("fetch", (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
    if (personal && personal(url)) {
      event.respondWith(
        fetch(event.request).catch(() => caches.open(cacheName).then((cache) => cache.match(fallback)))
          .then((answer) => answer || Response.error()),
      );
      return;
    }
    if (!handles(url)) return;
    event.respondWith(
      fetch(event.request)
        .then((response) => {
          if (keepable(response)) {
            const copy = response.clone();
            caches.open(cacheName).then((cache) => cache.put(event.request, copy));
          }
          return response;
        })
        .catch(() => caches.match(event.request).then(
          (kept) => kept || caches.match(event.request, { ignoreSearch: true }),
        )),
    );
  });
};
