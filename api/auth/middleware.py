"""Authentication of API requests: bearer API keys and OAuth2 access tokens, or the session.

For /api/ and /graphql/ on a tenant host, ``Authorization: Bearer <token>`` names an API key
(``rlt_…``) or an OAuth2 access token. A good one becomes ``request.user`` and
``request.api_credential`` and the request needs no CSRF token (no cookie was involved); a bad one
is answered 401 at once, saying why, with a ``WWW-Authenticate: Bearer`` challenge. Without the
header, a signed-in session is the credential. Keys and tokens live in the tenant's schema, so
another tenant's are unknown here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name
from oauth2_provider.oauth2_backends import get_oauthlib_core

from api.auth.credentials import ApiCredential, CredentialKind
from api.errors import api_error, is_api_request
from identity.models import User
from identity.services.api_keys import ApiKeyRefused, authenticate_api_key, looks_like_api_key


class BearerRefused(Exception):
    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


class ApiCredentialMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request) or not _on_tenant_host(request):
            return self.get_response(request)
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                request.api_credential = ApiCredential(  # type: ignore[attr-defined]
                    kind=CredentialKind.SESSION, id=f"user:{user.pk}", scopes=None, label=user.email
                )
            return self.get_response(request)
        try:
            user, credential = authenticate_bearer(request, header)
        except BearerRefused as refusal:
            return unauthorized(request, refusal.reason)
        request.user = user
        request.api_credential = credential  # type: ignore[attr-defined]
        # The token came in a header the browser never adds by itself: no CSRF to guard against.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


def _on_tenant_host(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.schema_name != get_public_schema_name()


def authenticate_bearer(request: HttpRequest, header: str) -> tuple[User, ApiCredential]:
    """The user and credential of an ``Authorization`` header; BearerRefused saying why otherwise."""
    scheme, _space, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise BearerRefused(_('Send the credential as an "Authorization: Bearer <token>" header.'))
    if looks_like_api_key(token):
        try:
            api_key = authenticate_api_key(token)
        except ApiKeyRefused as refusal:
            raise BearerRefused(refusal.reason) from refusal
        credential = ApiCredential(
            kind=CredentialKind.API_KEY, id=f"key:{api_key.pk}", scopes=frozenset(api_key.scopes), label=api_key.name
        )
        return api_key.user, credential
    return _authenticate_access_token(request)


def _authenticate_access_token(request: HttpRequest) -> tuple[User, ApiCredential]:
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        error = getattr(oauth_request, "oauth2_error", None) or {}
        raise BearerRefused(error.get("error_description") or _("Unknown access token."))
    access_token = oauth_request.access_token
    application = access_token.application
    # Tokens carry their user; a client-credentials token issued without one acts as the
    # application's registering user (api.auth.validators does the same at issue time).
    user = access_token.user or (application.user if application is not None else None)
    if user is None:
        raise BearerRefused(_("Unknown access token."))
    if not user.is_active:
        raise BearerRefused(_("The user of this access token is deactivated."))
    credential = ApiCredential(
        kind=CredentialKind.OAUTH2,
        id=f"oauth2:{application.pk}" if application is not None else f"oauth2-token:{access_token.pk}",
        scopes=frozenset(access_token.scope.split()),
        label=application.name if application is not None else "",
    )
    return user, credential


def unauthorized(request: HttpRequest, reason: str | Promise) -> HttpResponse:
    """401 in the protocol's own error shape, with the RFC 6750 challenge (in English: ASCII only)."""
    detail = str(reason)
    with translation.override("en"):
        description = str(reason).replace('"', "'").replace("\\", "/").encode("ascii", "replace").decode()
    response = api_error(
        request, status=401, problem="invalid-token", graphql_code="UNAUTHENTICATED", title="Not authenticated",
        detail=detail,
    )  # fmt: skip
    response["WWW-Authenticate"] = f'Bearer realm="api", error="invalid_token", error_description="{description}"'
    return response
