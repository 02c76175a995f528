// Live results: when the results revision changes the server says so by server-sent events;
// the page fetches itself again and swaps the regions marked data-live. Without JavaScript a
// reload shows the same figures.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;
  var body = document.body;
  var url = body.getAttribute("data-events");
  if (!url) return;
  var refreshing = false, pending = false;
  function refresh() {
    if (refreshing) { pending = true; return; }
    refreshing = true;
    fetch(window.location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var regions = document.querySelectorAll("[data-live][id]");
        Array.prototype.forEach.call(regions, function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement) region.replaceWith(document.importNode(replacement, true));
        });
        body.setAttribute("data-revision", fresh.body.getAttribute("data-revision"));
        if (window.tallyroomSortable) window.tallyroomSortable(document);
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        refreshing = false;
        if (pending) { pending = false; refresh(); }
      });
  }
  var source = new EventSource(url);
  source.addEventListener("revision", function (event) {
    var revision = JSON.parse(event.data).revision;
    if (String(revision) !== body.getAttribute("data-revision")) refresh();
  });
})();
