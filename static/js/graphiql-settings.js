// GraphiQL (/graphql/ in a browser): the settings graphene-django's graphiql.js reads, taken from
// the page's json_script elements instead of an inline script.
(function () {
  "use strict";
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  window.GRAPHENE_SETTINGS = {
    subscriptionPath: read("graphiql-subscription-path") || undefined,
    graphiqlHeaderEditorEnabled: read("graphiql-header-editor-enabled") === "true",
    graphiqlShouldPersistHeaders: read("graphiql-should-persist-headers") === "true",
    graphiqlInputValueDeprecation: read("graphiql-input-value-deprecation") === "true"
  };
})();
