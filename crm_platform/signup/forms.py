"""The signup form: its field names are the ones the services name in their errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from billing.choices import Currency, Interval
from crm_platform.signup.pricing import offered_plans
from crm_platform.signup.services import Signup
from identity.models import User


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Company name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    slug = forms.CharField(
        label=_("Your address"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens. It cannot be changed later."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "hx-get": reverse_lazy("signup-subdomain"),
                "hx-trigger": "input changed delay:300ms, load",
                "hx-target": "#slug-availability",
            }
        ),
    )
    admin_email = forms.EmailField(
        label=_("Your work e-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=offered_plans(), to_field_name="key", empty_label=None)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.EUR)
    interval = forms.ChoiceField(label=_("Billing"), choices=Interval.choices, initial=Interval.MONTH)
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            # The similarity check compares with the address the account will have.
            account = User(email=cleaned.get("admin_email") or "")
            try:
                password_validation.validate_password(password, user=account)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def signup(self) -> Signup:
        data = self.cleaned_data
        return Signup(
            name=data["name"],
            slug=data["slug"],
            admin_email=data["admin_email"],
            password=data["password"],
            plan=data["plan"],
            currency=data["currency"],
            interval=data["interval"],
            locale=data["locale"],
        )
