"""Operator sign-in and sign-out on the public host. Only operator staff may sign in; anyone else's
credentials get the same answer as wrong ones, and count as a failure for the lockout."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from crm_platform.console.access import is_operator, is_public_host
from identity.forms import LoginForm


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    console_home = reverse("console:tenants")
    if target.startswith(console_home) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return console_home


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if not is_public_host(request):
        raise Http404
    if is_operator(request):
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": form.cleaned_data["username"], "password": form.cleaned_data["password"]}
        user = authenticate(request, **credentials)
        if user is not None and not user.is_staff:
            # A valid account that is not operator staff: same answer, same lockout count.
            user_login_failed.send(sender=__name__, credentials={"username": credentials["username"]}, request=request)
            user = None
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, form)
        if user is None:
            form.add_error(None, _("That e-mail and password do not match an account here."))
        else:
            login(request, user, backend="identity.backends.EmailBackend")
            return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "console/login.html", {"form": form, "next": _safe_next(request)}, status=status)


def _locked_out(request: HttpRequest, form: LoginForm) -> HttpResponse:
    """The lockout answer on the console's own page. The shared lockout page (AXES_LOCKOUT_CALLABLE)
    links tenant-host URLs the public host does not have, so the middleware must not swap it in."""
    request.axes_locked_out = False  # type: ignore[attr-defined]
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    form.add_error(None, message)
    return render(request, "console/login.html", {"form": form, "next": _safe_next(request)}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")
