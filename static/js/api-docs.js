// Starts Swagger UI on the API's schema (the page has no inline script: the CSP allows only static files).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    domNode: node,
    deepLinking: true,
    persistAuthorization: false,
  });
})();
