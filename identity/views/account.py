"""A user's own profile and two-factor settings; invitation acceptance."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.decorators import signed_in_user
from identity.forms import AcceptInvitationForm, OTPForm, ProfileForm, apply_service_errors, form_status
from identity.impersonation import not_while_impersonating
from identity.reauth import ReauthenticationForm
from identity.services.accounts import set_preferences
from identity.services.invitations import InvitationInvalid, accept_invitation, open_invitation
from identity.two_factor import enrolment_context, turn_off, turn_on


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "locale": user.locale or request.LANGUAGE_CODE,
            "time_zone": user.time_zone or getattr(getattr(request, "tenant", None), "time_zone", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user.full_name = form.cleaned_data["full_name"].strip()
                user.save(update_fields=["full_name"])
                set_preferences(user, locale=form.cleaned_data["locale"], time_zone=form.cleaned_data["time_zone"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("identity:profile")
    return render(request, "identity/profile.html", {"form": form}, status=form_status(form))


@login_required
@not_while_impersonating(gettext_lazy("change two-factor authentication"))
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enable TOTP: show a QR code for a new unconfirmed device, confirm it with a first code."""
    user = signed_in_user(request)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed:
        disable_form = ReauthenticationForm(user=user, request=request)
        return render(request, "identity/two_factor.html", {"enabled": True, "disable_form": disable_form})
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator"})
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            turn_on(device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("identity:two-factor")
        form.add_error("code", _("That code is not valid. Check your phone's clock and try again."))
    return render(
        request,
        "identity/two_factor.html",
        {"enabled": False, "form": form, **enrolment_context(device)},
        status=form_status(form),
    )


@login_required
@require_POST
@not_while_impersonating(gettext_lazy("change two-factor authentication"))
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turning two-factor off weakens sign-in: the password (or a current code) is asked again."""
    user = signed_in_user(request)
    form = ReauthenticationForm(request.POST, user=user, request=request)
    if not form.is_valid():
        return render(request, "identity/two_factor.html", {"enabled": True, "disable_form": form}, status=400)
    turn_off(user)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("identity:two-factor")


@sensitive_post_parameters("password", "password_confirm")
def accept_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = open_invitation(token)
    except InvitationInvalid as error:
        return render(request, "identity/invitation_invalid.html", {"message": str(error)}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
            )
        except InvitationInvalid as error:
            return render(request, "identity/invitation_invalid.html", {"message": str(error)}, status=410)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            login(request, user, backend="identity.backends.EmailBackend")
            messages.success(request, _("Welcome to %(tenant)s!") % {"tenant": request.tenant.name})  # type: ignore[attr-defined]
            return redirect("shell:home")
    return render(
        request,
        "identity/accept_invitation.html",
        {"form": form, "invitation": invitation},
        status=form_status(form),
    )
