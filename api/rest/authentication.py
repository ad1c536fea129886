"""Session authentication for the browser: CSRF enforced, users of the current tenant only."""

from rest_framework.authentication import SessionAuthentication


class TenantSessionAuthentication(SessionAuthentication):
    """DRF's session auth with a WWW-Authenticate challenge, so anonymous calls get a 401, not a 403.

    Sessions live in the tenant's schema and cookies are host-only: a session of another tenant
    never authenticates here.
    """

    def authenticate_header(self, request: object) -> str:
        return 'Session realm="api"'
