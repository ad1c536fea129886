"""The subscription form of the report page: recipients, frequency, day, hour and format. It checks
types; the services check the rest (who may receive it, the day a frequency needs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.reports.choices import DeliveryFormat, Frequency, Weekday
from modules.analytics.reports.delivery.models import ReportSubscription

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]
BLANK = [("", "—")]


class SubscriptionForm(forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=User.objects.filter(is_active=True).order_by("full_name", "email"),
        help_text=_("Each gets the report run as themselves: the records they may see, in their language."),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=Frequency.choices,
        widget=forms.Select(attrs={"class": "form-select", "x-model": "frequency"}),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week (weekly)"), choices=BLANK + list(Weekday.choices), coerce=int, required=False,
        empty_value=None, widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    day_of_month = forms.IntegerField(
        label=_("Day of the month (monthly)"), min_value=1, max_value=31, required=False,
        help_text=_("In shorter months, the last day."), widget=forms.NumberInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    hour = forms.TypedChoiceField(
        label=_("Hour (the workspace's time zone)"), choices=HOURS, coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip
    file_format = forms.ChoiceField(
        label=_("Format"), choices=DeliveryFormat.choices, widget=forms.Select(attrs={"class": "form-select"})
    )

    @staticmethod
    def initial_for(subscription: ReportSubscription | None) -> dict[str, Any]:
        if subscription is None:
            return {"frequency": Frequency.WEEKLY, "weekday": 0, "hour": 8, "file_format": DeliveryFormat.PDF}
        return {
            "recipients": list(subscription.recipients.all()),
            "frequency": subscription.frequency,
            "weekday": subscription.weekday,
            "day_of_month": subscription.day_of_month,
            "hour": subscription.hour,
            "file_format": subscription.file_format,
        }
