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
    webhook_password = forms.CharField(
        label=_("Webhook password"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False), help_text=_("Leave empty to keep the stored one."),
    )  # fmt: skip
    remove_webhook_password = forms.BooleanField(
        label=_("Remove the stored webhook password"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("The providers called with the user and password are then refused until a new one is saved."),
    )  # fmt: skip
    mailgun_signing_key = forms.CharField(
        label=_("Mailgun webhook signing key"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False), help_text=_("Leave empty to keep the stored one."),
    )  # fmt: skip
    remove_mailgun_signing_key = forms.BooleanField(
        label=_("Remove the stored Mailgun key"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    sendgrid_verification_key = forms.CharField(
        label=_("SendGrid verification key"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("From SendGrid's signed event webhook settings. With it, each call must carry SendGrid's "
                    "signature as well as the webhook user and password. Empty it to remove it."),
    )  # fmt: skip

    class Meta:
        model = DeliverySettings
        fields = ["messages_per_minute", "max_concurrency", "webhook_user"]
        labels = {"webhook_user": _("Webhook user")}
        help_texts = {
            "webhook_user": _("Postmark, Amazon SES, SendGrid, Brevo and Mailjet call their URLs below with this "
                              "user and the password (written into the URL as https://user:password@…)."),
        }  # fmt: skip
