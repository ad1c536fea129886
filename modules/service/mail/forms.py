"""The support address form: the input's shape; ``services.addresses`` owns the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import Team
from modules.service.mail.choices import ImapSecurity
from modules.service.mail.models import SupportAddress


class SupportAddressForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("IMAP password"), required=False, max_length=500, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the stored password."),
    )  # fmt: skip

    inbound_signing_key = forms.CharField(
        label=_("Provider signing key"), required=False, max_length=4000, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "For Mailgun, Mandrill, MailerSend, Mailtrap and Resend the webhook signing key (Resend's starts "
            "with whsec_), for Postal its public key. Stored encrypted; leave empty to keep the stored key."
        ),
    )  # fmt: skip
    inbound_api_key = forms.CharField(
        label=_("Provider API key"), required=False, max_length=4000, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Resend and Mailtrap send only a reference to the message and Brevo to its attachments: their API "
            "key lets the workspace fetch them. Stored encrypted; leave empty to keep the stored key."
        ),
    )  # fmt: skip
    clear_provider_keys = forms.BooleanField(label=_("Forget the stored provider keys"), required=False)

    class Meta:
        model = SupportAddress
        fields = [
            "email", "name", "team", "is_default", "is_active", "auto_acknowledge", "imap_host", "imap_port",
            "imap_security", "imap_user", "imap_folder",
        ]  # fmt: skip
        help_texts = {
            "team": _("New cases from this address go to this queue."),
            "is_default": _("Replies to cases that did not come by e-mail are sent from this address."),
            "auto_acknowledge": _("Answer a new case's first e-mail automatically with its number."),
            "imap_host": _("Leave empty when mail arrives only through the inbound webhook."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["imap_security"].initial = ImapSecurity.TLS
        self.fields["imap_port"].widget.attrs.update(min=1, max=65535)
        if not self.instance.pk:
            del self.fields["clear_provider_keys"]

    def clean_imap_port(self) -> int:
        port = self.cleaned_data.get("imap_port") or 993
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("Enter a port between 1 and 65535."))
        return int(port)

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["imap_password"] = self.cleaned_data.get("imap_password") or ""
        values["inbound_signing_key"] = self.cleaned_data.get("inbound_signing_key") or ""
        values["inbound_api_key"] = self.cleaned_data.get("inbound_api_key") or ""
        if self.instance.pk and self.cleaned_data.get("clear_provider_keys"):
            values["clear_provider_keys"] = True
        return values
