"""The calendar connection form: the input's shape; ``services.connections`` owns the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.activities.calendar_sync.models import DEFAULT_PAST_DAYS
from modules.activities.calendar_sync.services.connections import MAX_PAST_DAYS


class ConnectionForm(forms.Form):
    url = forms.URLField(
        label=_("Calendar URL"), max_length=2000, assume_scheme="https",
        help_text=_("The address of the calendar collection (CalDAV), as your calendar program shows it."),
    )  # fmt: skip
    username = forms.CharField(label=_("User name"), max_length=254)
    password = forms.CharField(
        label=_("Password"), required=False, max_length=500, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. An app password works best. Leave empty to keep the stored one."),
    )  # fmt: skip
    past_days = forms.IntegerField(
        label=_("Past days to bring in"), min_value=0, max_value=MAX_PAST_DAYS, initial=DEFAULT_PAST_DAYS,
        help_text=_("Events of the calendar that ended longer ago are left out (series are always brought in)."),
    )  # fmt: skip

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("url", "username", "password", "past_days")}
