"""What every portal page shares: the plan check, the portal session (its own cookie, never the
staff session), the tenant's branding and the customer's audit address."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from identity.client_address import client_address
from modules.registry import is_enabled
from modules.service.portal.models import PortalUser
from modules.service.portal.services.sign_in import SESSION_DAYS, session_user, within_limit
from modules.workspace.services import workspace_profile

SESSION_COOKIE = "relata_portal"
COOKIE_PATH = "/portal/"
# A signed-in customer's requests per 15-minute window (``within_limit``), as the sign-in's are
# limited: plenty for a person reading and writing, not for a script opening cases or uploading
# files in a loop. Writes (every POST: cases, replies, files, quote answers, ratings) have their own.
PAGES_PER_USER = 900
WRITES_PER_USER = 60

View = Callable[..., HttpResponse]


def address(request: HttpRequest) -> str | None:
    return client_address(request)


def private(response: HttpResponse) -> HttpResponse:
    """Portal pages hold a customer's records: never kept by a shared cache or indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def branding(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    return {"portal_profile": workspace_profile(), "portal_name": getattr(tenant, "name", "")}


def portal_render(request: HttpRequest, template: str, context: dict[str, Any] | None = None, *,
                  status: int = 200) -> HttpResponse:  # fmt: skip
    page = {**branding(request), "portal_user": getattr(request, "portal_user", None), **(context or {})}
    return private(render(request, template, page, status=status))


def message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return portal_render(request, "service/portal/message.html", {"title": title, "text": text}, status=status)


def too_many(request: HttpRequest) -> HttpResponse:
    return message(request, 429, _("Too many attempts"), _("Wait a few minutes and try again."))


def not_available(request: HttpRequest) -> HttpResponse:
    return message(
        request, 404, _("The customer portal is not available"),
        _("This workspace does not offer a customer portal. Contact the company directly."),
    )  # fmt: skip


def set_session_cookie(request: HttpRequest, response: HttpResponse, key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, key, max_age=SESSION_DAYS * 24 * 3600, path=COOKIE_PATH, secure=request.is_secure(),
        httponly=True, samesite="Lax",
    )  # fmt: skip


def portal_public(view: View) -> View:
    """A portal page for anyone (sign-in): only the plan is checked."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled(getattr(request, "tenant", None), "service"):
            return not_available(request)
        return view(request, *args, **kwargs)

    return wrapped


def portal_page(view: View) -> View:
    """A page of a signed-in customer: ``request.portal_user`` from the portal's cookie; without a
    session, the portal's sign-in (a staff session does not count)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_enabled(getattr(request, "tenant", None), "service"):
            return not_available(request)
        portal_user = session_user(request.COOKIES.get(SESSION_COOKIE, ""))
        if portal_user is None:
            target = reverse("portal:sign-in")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        request.portal_user = portal_user  # type: ignore[attr-defined]
        kind, limit = ("write-user", WRITES_PER_USER) if request.method == "POST" else ("page-user", PAGES_PER_USER)
        if not within_limit(kind, str(portal_user.pk), limit):
            return too_many(request)
        return private(view(request, *args, **kwargs))

    return wrapped


def current(request: HttpRequest) -> PortalUser:
    return request.portal_user  # type: ignore[attr-defined,no-any-return]
