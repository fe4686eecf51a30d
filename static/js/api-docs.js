// The API documentation page (/api/docs): Swagger UI, served from this site under its own CSP
// (no inline script). Requests tried from the page carry the session's CSRF token.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({
    url: node.getAttribute("data-openapi-url"),
    domNode: node,
    deepLinking: false,  // its links would sit inside the summary buttons (nested controls)
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    requestInterceptor: function (request) {
      var token = document.body.getAttribute("data-csrf");
      if (token) { request.headers["X-CSRF-Token"] = token; }
      return request;
    }
  });
})();
