"""Forms of the send page (the schedule, read in the workspace's time zone) and of the delivery
settings (limits and the providers' webhook secrets)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.input_bounds import moment_problem
from modules.marketing.delivery.models import DeliverySettings

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("In the workspace's time zone."),
    )

    def clean_scheduled_at(self) -> Any:
        value = self.cleaned_data["scheduled_at"]
        problem = moment_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class DeliverySettingsForm(forms.ModelForm):
    postmark_webhook_password = forms.CharField(
        label=_("Postmark webhook password"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False), help_text=_("Leave empty to keep the stored one."),
    )  # fmt: skip
    mailgun_signing_key = forms.CharField(
        label=_("Mailgun webhook signing key"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False), help_text=_("Leave empty to keep the stored one."),
    )  # fmt: skip

    class Meta:
        model = DeliverySettings
        fields = ["messages_per_minute", "max_concurrency", "postmark_webhook_user"]
