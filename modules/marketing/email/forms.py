"""Forms of the marketing e-mail pages: the input's shape; the services own the rules."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.marketing.email.models import SendingDomain, SendingSettings
from modules.marketing.models import Campaign, MarketingEmail, Segment, Topic


class Styled:
    """Bootstrap classes on every widget, so templates render fields with ``{{ field }}``."""

    def style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


def _secret(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=2000, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the stored value."),
    )  # fmt: skip


class SendingSettingsForm(Styled, forms.ModelForm):
    smtp_password = _secret(_("SMTP password"))
    api_key = _secret(_("API key"))
    api_secret = _secret(_("API secret (Amazon SES secret access key, Mailjet secret key)"))

    class Meta:
        model = SendingSettings
        fields = [
            "method", "default_from_name", "default_from_address", "postal_address", "smtp_host", "smtp_port",
            "smtp_security", "smtp_user", "provider", "region", "sender_domain",
        ]  # fmt: skip
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"postal_address": _("Printed in the footer of every marketing e-mail, as the law requires.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values.update({name: self.cleaned_data.get(name) or "" for name in ("smtp_password", "api_key", "api_secret")})
        return values


class SendingDomainForm(Styled, forms.ModelForm):
    class Meta:
        model = SendingDomain
        fields = ["domain", "dkim_selector", "dkim_value", "spf_include"]
        widgets = {"dkim_value": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class TestSendForm(Styled, forms.Form):
    addresses = forms.CharField(
        label=_("Send a test to"), max_length=1300, help_text=_("Up to five addresses, separated by commas.")
    )
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class EmailSettingsForm(Styled, forms.ModelForm):
    """The e-mail's settings beside the block editor (the blocks come as JSON in ``content``)."""

    content = forms.CharField(widget=forms.HiddenInput, required=False, max_length=400_000)

    class Meta:
        model = MarketingEmail
        fields = [
            "name", "campaign", "segment", "topic", "subject", "preheader", "from_name", "from_address", "reply_to",
            "subject_b", "ab_percent", "ab_wait_hours", "track_opens", "track_clicks",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["segment"].queryset = Segment.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["topic"].queryset = Topic.objects.order_by("name")  # type: ignore[attr-defined]
        self.style()

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["content"] = self.cleaned_data.get("content_blocks", [])
        return values

    def clean_content(self) -> str:
        raw = self.cleaned_data.get("content") or "[]"
        try:
            blocks = json.loads(raw)
        except ValueError as error:
            raise forms.ValidationError(_("The content could not be read.")) from error
        self.cleaned_data["content_blocks"] = blocks
        return str(raw)
