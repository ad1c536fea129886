"""The mailbox forms: the input's shape (bounded by the model's columns); ``services`` owns writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from modules.mailboxes.choices import MailSecurity
from modules.mailboxes.models import Mailbox

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str

MAX_EXCLUDED = 200
SETTINGS_FIELDS = ["display_name", "visibility", "first_sync_days"]
SERVER_FIELDS = [
    "email", "imap_host", "imap_port", "imap_security", "imap_user", "inbox_folder", "sent_folder",
    "smtp_host", "smtp_port", "smtp_security", "smtp_user",
]  # fmt: skip


def _password(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=500, strip=False, help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip


class MailboxSettingsForm(forms.ModelForm):
    """What the owner may change at any time: sender name, what colleagues see, the first-sync
    period and the addresses never to log."""

    excluded = forms.CharField(
        label=_("Addresses never to log"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: an address (doctor@clinic.example) or a whole domain (@clinic.example)."),
    )  # fmt: skip

    class Meta:
        model = Mailbox
        fields = SETTINGS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["excluded"].initial = "\n".join(self.instance.excluded_addresses or [])
        self.fields["first_sync_days"].widget.attrs.update(min=1, max=3650)

    def clean_first_sync_days(self) -> int:
        days = self.cleaned_data.get("first_sync_days") or 30
        if not 1 <= days <= 3650:
            raise forms.ValidationError(_("Enter a number of days between 1 and 3650."))
        return int(days)

    def clean_excluded(self) -> list[str]:
        items = [line.strip().lower() for line in self.cleaned_data.get("excluded", "").splitlines() if line.strip()]
        if len(items) > MAX_EXCLUDED:
            raise forms.ValidationError(_("At most %(count)d addresses.") % {"count": MAX_EXCLUDED})
        for item in items:
            try:
                validate_email(f"x{item}" if item.startswith("@") else item)
            except forms.ValidationError as error:
                raise forms.ValidationError(_("“%(item)s” is no address or @domain.") % {"item": item[:100]}) from error
        return list(dict.fromkeys(items))

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}
        values["excluded_addresses"] = self.cleaned_data["excluded"]
        return values


class MailboxConnectForm(MailboxSettingsForm):
    """A new mailbox: its servers and passwords too (tested before it is saved)."""

    imap_password = _password(_("IMAP password"), _("An app password works. Stored encrypted."))
    smtp_password = _password(_("SMTP password"), _("Leave empty when it is the IMAP password."))

    class Meta:
        model = Mailbox
        fields = SERVER_FIELDS + SETTINGS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["imap_host"].required = True
        self.fields["imap_user"].required = True
        self.fields["imap_password"].required = True
        self.fields["imap_security"].initial = MailSecurity.TLS
        self.fields["smtp_security"].initial = MailSecurity.STARTTLS
        for name in ("imap_port", "smtp_port"):
            self.fields[name].widget.attrs.update(min=1, max=65535)

    def _port(self, name: str, default: int) -> int:
        port = self.cleaned_data.get(name) or default
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("Enter a port between 1 and 65535."))
        return int(port)

    def clean_imap_port(self) -> int:
        return self._port("imap_port", 993)

    def clean_smtp_port(self) -> int:
        return self._port("smtp_port", 587)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        values.update({name: self.cleaned_data[name] for name in SERVER_FIELDS})
        values["imap_password"] = self.cleaned_data["imap_password"]
        values["smtp_password"] = self.cleaned_data.get("smtp_password") or ""
        return values
