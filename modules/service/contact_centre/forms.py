from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.service.contact_centre.choices import SmsEvent


class TelephonySettingsForm(forms.Form):
    account_sid = forms.CharField(label=_("Account SID"), max_length=64, required=False)
    auth_token = forms.CharField(
        label=_("Auth token"), max_length=128, required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again; leave empty to keep the stored token."),
    )  # fmt: skip
    numbers = forms.CharField(
        label=_("Numbers"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, with the country code. The first places calls and sends SMS."),
    )  # fmt: skip
    sms_events = forms.MultipleChoiceField(
        label=_("Send customers an SMS when"), choices=SmsEvent.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def number_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["numbers"].splitlines() if line.strip()]


class AgentPhoneForm(forms.Form):
    user = forms.IntegerField(label=_("User"), min_value=1)
    number = forms.CharField(label=_("Phone"), max_length=40, required=False)


class DialForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40)
    entity = forms.ChoiceField(
        label=_("Record"), required=False,
        choices=[("", ""), ("contact", "contact"), ("company", "company"), ("lead", "lead")],
    )  # fmt: skip
    record = forms.IntegerField(label=_("Record"), required=False, min_value=1, max_value=2**63 - 1)


class CsatForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, choices=[(value, str(value)) for value in range(1, 6)],
        widget=forms.RadioSelect, error_messages={"required": _("Choose a rating from 1 to 5.")},
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
