"""How DRF learns who calls: a bearer credential (API key or OAuth2 token) that
``api.auth.middleware.ApiCredentialMiddleware`` already checked, else the browser session."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from api.auth import openapi as _openapi  # noqa: F401 - registers the OpenAPI security scheme
from api.auth.credentials import CredentialKind, credential_of


class BearerCredentialAuthentication(BaseAuthentication):
    """Hands DRF the user and credential of a bearer-authenticated request.

    The middleware has validated the token (and answered 401 for a bad one) before DRF runs, so
    this only picks up its result. First in the list, its ``Bearer`` challenge is the one a 401
    carries.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        credential = credential_of(request)
        if credential is None or credential.kind == CredentialKind.SESSION:
            return None
        return request._request.user, credential

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class CsrfFailed(exceptions.PermissionDenied):
    """A session-authenticated unsafe request without a valid CSRF token."""

    default_code = "csrf_failed"


class TenantSessionAuthentication(SessionAuthentication):
    """DRF's session auth with a WWW-Authenticate challenge, so anonymous calls get a 401, not a 403.

    Sessions live in the tenant's schema and cookies are host-only: a session of another tenant
    never authenticates here. A CSRF failure is a 403 problem of its own type (``csrf-failed``).
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="api"'

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise CsrfFailed(error.detail) from error
