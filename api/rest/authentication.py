"""Session authentication for the browser: CSRF enforced, users of the current tenant only."""

from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


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
