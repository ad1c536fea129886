"""django-oauth-toolkit's authorization server endpoints on the tenant host (under ``/o/``):
the consent page, the token, revocation and introspection endpoints. Applications are managed
in the settings (``api.auth.urls_oauth_apps``), not through the toolkit's own pages."""

from django.urls import URLPattern, URLResolver, path
from oauth2_provider import views

app_name = "oauth2_provider"

urlpatterns: list[URLPattern | URLResolver] = [
    path("authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
]
