"""Forms validate input shape; services own the rules. Service errors land on the named field."""

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from identity.choices import RecordVisibility
from identity.models import Role, Team, User
from identity.permissions import all_permissions


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()))]


def form_status(form: object) -> int:
    """400 for a form that was sent back with errors, else 200."""
    return 400 if getattr(form, "errors", None) else 200


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class LoginForm(forms.Form):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OTPForm(forms.Form):
    code = forms.RegexField(
        label=_("Authentication code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the 6-digit code from your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_confirm = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class UserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    record_visibility = forms.ChoiceField(label=_("Record visibility"), choices=RecordVisibility.choices)
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["permissions"].choices = list(all_permissions().items())  # type: ignore[attr-defined]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
