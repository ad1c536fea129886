"""Operator sign-in and sign-out on the public host: the password (throttled by django-axes like a
tenant's sign-in), then a TOTP code; an operator without an authenticator enrols one before
anything else. Only operator staff may sign in; anyone else's credentials get the same answer as
wrong ones and count as a failure for the lockout. Every attempt, good or bad, is in the
operators' audit log (public schema)."""

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
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_platform.console.access import is_operator, is_public_host
from identity.client_address import client_address
from identity.forms import LoginForm, OTPForm
from identity.models import AuditEntry, User
from identity.services.audit import record_audit
from identity.two_factor import enrolment_context, verify_code

PENDING_USER_KEY = "console:pending_operator"
PENDING_NEXT_KEY = "console:pending_next"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    console_home = reverse("console:tenants")
    if target.startswith(console_home) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return console_home


def _audit(request: HttpRequest, action: str, summary: str, *, email: str, **details: str) -> None:
    record_audit(
        action,
        summary,
        actor=email or "anonymous",
        actor_kind=AuditEntry.ActorKind.OPERATOR,
        target="console",
        details=details,
        ip_address=client_address(request),
    )


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if not is_public_host(request):
        raise Http404
    if is_operator(request):
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = str(form.cleaned_data["username"]).strip().lower()
        credentials = {"username": form.cleaned_data["username"], "password": form.cleaned_data["password"]}
        user = authenticate(request, **credentials)
        reason = "wrong e-mail or password"
        if user is not None and not user.is_staff:
            # A valid account that is not operator staff: same answer, same lockout count.
            user_login_failed.send(sender=__name__, credentials={"username": credentials["username"]}, request=request)
            user, reason = None, "not operator staff"
        if getattr(request, "axes_locked_out", False):
            _audit(request, "console.sign_in.locked_out", _("Console sign-in refused: locked out."), email=email)
            return _locked_out(request, form)
        if user is None:
            _audit(
                request,
                "console.sign_in.failed",
                _("Console sign-in failed."),
                email=email,
                step="password",
                reason=reason,
            )
            form.add_error(None, _("That e-mail and password do not match an account here."))
        else:
            # Not signed in yet: the code (or the enrolment) completes the sign-in.
            logout(request)  # flushes the session: what follows is stored under a new key
            request.session[PENDING_USER_KEY] = user.pk
            request.session[PENDING_NEXT_KEY] = _safe_next(request)
            return redirect("console:login-verify")
    status = 400 if request.method == "POST" else 200
    return render(request, "console/login.html", {"form": form, "next": _safe_next(request)}, status=status)


def _pending_operator(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER_KEY)
    return User.objects.filter(pk=user_id, is_active=True, is_staff=True).first() if user_id else None


@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code of the operator's authenticator, or, without one, its enrolment (a
    QR code for a new device, confirmed by its first code). Wrong codes slow down (django-otp)."""
    if not is_public_host(request):
        raise Http404
    user = _pending_operator(request)
    if user is None:
        return redirect("console:login")
    confirmed = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    enrolling = not confirmed
    devices = confirmed or [
        TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Console authenticator"})[0]
    ]
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(devices, form)
        if device is not None:
            return _complete_sign_in(request, user, device, enrolled=enrolling)
        _audit(
            request, "console.sign_in.failed", _("Console sign-in failed: wrong code."), email=user.email, step="code"
        )
    context: dict[str, object] = {"form": form, "enrolling": enrolling}
    if enrolling:
        context.update(enrolment_context(devices[0]))
    status = 400 if request.method == "POST" else 200
    return render(request, "console/login_verify.html", context, status=status)


def _complete_sign_in(request: HttpRequest, user: User, device: TOTPDevice, *, enrolled: bool) -> HttpResponse:
    if enrolled:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit(request, "console.two_factor.enrolled", _("Operator enrolled an authenticator."), email=user.email)
    target = request.session.get(PENDING_NEXT_KEY) or reverse("console:tenants")
    login(request, user, backend="identity.backends.EmailBackend")
    otp_login(request, device)
    _audit(request, "console.sign_in.succeeded", _("Operator signed in to the console."), email=user.email)
    return redirect(target)


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
