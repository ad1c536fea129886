"""django-oauth-toolkit's authorization server endpoints on the tenant host (under ``/o/``):
the consent page, the token, revocation and introspection endpoints. Applications are managed
in the settings (``api.auth.urls_oauth_apps``), not through the toolkit's own pages."""

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy
from oauth2_provider import views

from identity.impersonation import not_while_impersonating

app_name = "oauth2_provider"

urlpatterns: list[URLPattern | URLResolver] = [
    # Consent mints tokens for the signed-in user: never for support staff acting as them.
    path(
        "authorize/",
        not_while_impersonating(gettext_lazy("authorize applications"))(views.AuthorizationView.as_view()),
        name="authorize",
    ),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
]
