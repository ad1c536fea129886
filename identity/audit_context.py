"""Who is acting in the request in progress, for audit entries written deep in services.

Services own the audit entry (they are the one writer of what they change), but most of them take
no request: the middleware records the signed-in user (or the support operator acting as them)
and the client's address for the length of the request, and ``identity.services.audit.audit``
reads it. Outside a request (Celery tasks, management commands) nothing is set and the service
names its actor itself or the entry is the system's."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from identity.client_address import client_address


@dataclass(frozen=True)
class RequestActor:
    email: str
    operator: str  # the support operator acting as ``email``, else ""
    ip_address: str | None


_current: ContextVar[RequestActor | None] = ContextVar("audit_actor", default=None)


def request_actor() -> RequestActor | None:
    return _current.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        # Imported here: impersonation writes audit entries, so it imports this module's reader.
        from identity.impersonation import impersonation_of

        impersonation = impersonation_of(request) or {}
        token = _current.set(
            RequestActor(
                email=user.email,
                operator=impersonation.get("operator", ""),
                ip_address=client_address(request),
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
