from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import path

from api.graphql.views import RelataGraphQLView

app_name = "graphql"

JSDELIVR = "https://cdn.jsdelivr.net"
GRAPHIQL_POLICY = {
    "script-src": [SELF, JSDELIVR],
    "style-src": [SELF, UNSAFE_INLINE, JSDELIVR],
    "font-src": [SELF, "data:", JSDELIVR],
}

urlpatterns = [
    # GraphiQL for browsers; its introspection only works once signed in. Each tenant gets its own
    # schema, with its custom fields.
    # GraphiQL's page (graphene-django's, its settings moved out of an inline script by
    # templates/graphene/graphiql.html) loads React and GraphiQL from jsDelivr with subresource
    # integrity: only this view's policy allows that host.
    path(
        "",
        csp_replace(GRAPHIQL_POLICY)(RelataGraphQLView.as_view(graphiql=True, tenant_schemas=True)),
        name="endpoint",
    ),
]
