"""Who may use the console: operator staff, signed in on the public host. Everyone else gets
nothing: a tenant host has no console (404), a signed-in non-operator gets a 404, an anonymous
visitor is sent to the console's sign-in page. Operators sign in with a password and a TOTP code
(``console.views.auth``); a session without the code counts as signed out."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

View = Callable[..., HttpResponse]


def is_public_host(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.schema_name == "public"


def is_operator(request: HttpRequest) -> bool:
    """Operator staff signed in with their password and a two-factor code (django-otp's verified)."""
    user = getattr(request, "user", None)
    return bool(
        is_public_host(request)
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.is_verified()
    )


def operator_actor(request: HttpRequest) -> str:
    """How the audit trail names the operator making a request."""
    return str(request.user.email)  # type: ignore[union-attr]


def operator_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_public_host(request):
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if request.user.is_staff and not request.user.is_verified():  # type: ignore[attr-defined]
            # A session signed in without a two-factor code (from before operators needed one):
            # sign in again, through the code or the enrolment.
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not is_operator(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
