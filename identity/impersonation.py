"""Support impersonation on a tenant host: started by a login handoff from the console
(identity.views.handoff), shown as a banner, ended when its time is up or on sign-out; both ends
are written to the tenant's audit log."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from identity.client_address import client_address
from identity.models import AuditEntry
from identity.services.audit import record_audit
from identity.views.handoff import IMPERSONATION_SESSION_KEY

View = Callable[..., HttpResponseBase]


def impersonation_of(request: HttpRequest) -> dict[str, str] | None:
    session = getattr(request, "session", None)
    return session.get(IMPERSONATION_SESSION_KEY) if session is not None else None


def ensure_not_impersonating(request: HttpRequest, what: str | Promise) -> None:
    """A 403 that says why when support staff act as the user: credentials and sign-in settings
    stay with the account's owner, and a credential made now would outlive the impersonation's
    time limit. ``what`` completes "Support staff acting as … cannot …"."""
    data = impersonation_of(request)
    if data:
        raise PermissionDenied(
            _(
                "Support staff acting as %(user)s cannot %(what)s: credentials and sign-in settings stay with "
                "the account's owner."
            )
            % {"user": data.get("user", ""), "what": what}
        )


def not_while_impersonating(what: str | Promise) -> Callable[[View], View]:
    """``ensure_not_impersonating`` around a whole view."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            ensure_not_impersonating(request, what)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def end_impersonation(request: HttpRequest, *, why: str) -> bool:
    """Close the request's impersonation (if any) in the tenant's audit log; True if there was one."""
    data = impersonation_of(request)
    if not data:
        return False
    request.session.pop(IMPERSONATION_SESSION_KEY, None)
    record_audit(
        "impersonation.ended",
        _("Support (%(operator)s) stopped acting as %(user)s (%(why)s).")
        % {"operator": data.get("operator", ""), "user": data.get("user", ""), "why": why},
        actor=data.get("operator", ""),
        actor_kind=AuditEntry.ActorKind.OPERATOR,
        target=f"user:{data.get('user', '')}",
        details={"why": why, "reason": data.get("reason", ""), "expires_at": data.get("expires_at", "")},
        ip_address=client_address(request),
    )
    return True


def _is_over(data: dict[str, str]) -> bool:
    expires_at = parse_datetime(data.get("expires_at") or "")
    return expires_at is None or timezone.now() >= expires_at


class ImpersonationMiddleware:
    """Sign the operator out on the first request after the impersonation's time is up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        data = impersonation_of(request)
        if data and _is_over(data):
            end_impersonation(request, why=_("time is up"))
            logout(request)
            return self._to_login(request)
        return self.get_response(request)

    def _to_login(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = redirect("identity:login")
        if request.headers.get("HX-Request"):
            # htmx would swap the login page into a fragment; have it load the page instead.
            response = HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
        # The message middleware runs after this one, so this response carries its message itself.
        storage = default_storage(request)
        storage.add(messages.INFO, _("The support session has ended: its time was up."))
        storage.update(response)
        return response
