from django.urls import path

from api.graphql.views import RelataGraphQLView

app_name = "graphql"

urlpatterns = [
    # GraphiQL for browsers; its introspection only works once signed in.
    path("", RelataGraphQLView.as_view(graphiql=True), name="endpoint"),
]
