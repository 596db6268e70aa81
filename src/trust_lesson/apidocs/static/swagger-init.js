// Starts Swagger UI; the schema address comes from this script element's data attribute,
// so the page needs no inline script under the Content-Security-Policy.
(function () {
  "use strict";
  var openapiUrl = document.currentScript.dataset.openapiUrl;
  window.ui = SwaggerUIBundle({
    url: openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
