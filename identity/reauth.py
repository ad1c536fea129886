"""Re-authentication before sensitive account changes (API keys, turning two-factor off): the
signed-in person types their password, or a current code of their confirmed authenticator, again.
A session left open on someone's desk is then not enough to mint credentials or weaken sign-in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.models import User

FIELD = "current_password"


def confirms_identity(user: User, secret: str, *, request: HttpRequest) -> bool:
    """``secret`` is a valid code of one of ``user``'s confirmed TOTP devices (django-otp's growing
    delay after wrong codes applies) or their password. The password goes through ``authenticate``
    with the request, so django-axes counts a wrong one like a failed sign-in: the field is no
    unthrottled way to guess the password of a session left open."""
    if not secret:
        return False
    code = secret.replace(" ", "")
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True)) if code.isdigit() else []
    if any(device.verify_token(code) for device in devices):
        return True
    confirmed = authenticate(request, username=user.email, password=secret)
    return confirmed is not None and confirmed.pk == user.pk


class ReauthenticationForm(forms.Form):
    """A form that also asks for the user's password (or a two-factor code); give it ``user=`` and
    ``request=`` (a wrong password counts towards the sign-in lockout)."""

    current_password = forms.CharField(
        label=gettext_lazy("Your password, or a code from your authenticator app"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("Asked again to confirm it is you."),
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_current_password(self) -> str:
        secret: str = self.cleaned_data.get(FIELD) or ""
        if not confirms_identity(self.user, secret, request=self.request):
            raise forms.ValidationError(
                _("That is not your password or a current code from your authenticator app."), code="reauth"
            )
        return ""


class PasswordChangeForm(ReauthenticationForm):
    """A new password, typed twice, under the current one (checked by Django's validators)."""

    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("new_password") != cleaned.get("new_password_confirm"):
            self.add_error("new_password_confirm", _("The two passwords differ."))
        return cleaned


class EmailChangeForm(ReauthenticationForm):
    """The address to sign in with from now on, under the current password."""

    email = forms.EmailField(label=gettext_lazy("New e-mail address"), max_length=254)
