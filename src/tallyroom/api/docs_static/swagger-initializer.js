// Starts Swagger UI on /docs. A served file, not an inline script, so the site's
// Content-Security-Policy needs no exception for it.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    // No call to the public validator: /docs works with no network.
    validatorUrl: null,
  });
});
