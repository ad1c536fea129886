from django.urls import path

from api.graphql.views import RelataGraphQLView

app_name = "graphql"

urlpatterns = [
    # GraphiQL for browsers; its introspection only works once signed in. Each tenant gets its own
    # schema, with its custom fields.
    path("", RelataGraphQLView.as_view(graphiql=True, tenant_schemas=True), name="endpoint"),
]
