"""Sign-in (password, then a TOTP code when the user has enabled two-factor), sign-out, language."""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.forms import LoginForm, OTPForm
from identity.impersonation import end_impersonation
from identity.locales import is_supported_locale, remember_language
from identity.models import User
from identity.services.accounts import set_preferences
from identity.two_factor import verify_code

PENDING_USER_KEY = "identity:pending_2fa_user"
PENDING_NEXT_KEY = "identity:pending_2fa_next"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, _("That e-mail and password do not match an account here."))
        else:
            if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
                request.session.cycle_key()
                request.session[PENDING_USER_KEY] = user.pk
                request.session[PENDING_NEXT_KEY] = _safe_next(request)
                return redirect("identity:login-verify")
            login(request, user, backend="identity.backends.EmailBackend")
            return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/login.html", {"form": form, "next": _safe_next(request)}, status=status)


def login_verify(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER_KEY)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("identity:login")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(list(TOTPDevice.objects.devices_for_user(user, confirmed=True)), form)
        if device is not None:
            target = request.session.get(PENDING_NEXT_KEY) or resolve_url(settings.LOGIN_REDIRECT_URL)
            login(request, user, backend="identity.backends.EmailBackend")
            otp_login(request, device)
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/login_verify.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    end_impersonation(request, why=_("signed out"))
    logout(request)
    return redirect("identity:login")


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes answers once an account/address pair has failed too often."""
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return render(request, "identity/locked_out.html", {"message": message}, status=429)


@require_POST
def set_locale(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account and in a cookie."""
    language = request.POST.get("language", "")
    target = _safe_next(request)
    if not is_supported_locale(language):
        return HttpResponse(_("Unsupported language."), status=400)
    if request.user.is_authenticated:
        set_preferences(request.user, locale=language)  # type: ignore[arg-type]
    response = HttpResponseRedirect(target)
    remember_language(response, request, language)
    return response
