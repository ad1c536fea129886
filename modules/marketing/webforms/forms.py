"""The builder page's form: the settings as Django fields, the inputs and consent boxes as the JSON
the builder script keeps in two hidden inputs. ``services.forms`` checks everything again."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.marketing.models import Campaign
from modules.marketing.webforms.models import WebForm

MAX_JSON = 100_000


class WebFormForm(forms.ModelForm):
    allowed_origins_text = forms.CharField(
        label=_("Sites that may embed the form"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://www.example.com"}),
        help_text=_("One origin per line, like https://www.example.com."),
    )  # fmt: skip

    class Meta:
        model = WebForm
        fields = (
            "name", "key", "creates", "language", "on_duplicate", "submit_label", "thank_you_message",
            "redirect_url", "campaign", "owner", "captcha", "is_active",
        )  # fmt: skip
        widgets = {"thank_you_message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("email")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["allowed_origins_text"].initial = "\n".join(self.instance.allowed_origins)
        # The builder script's lists, posted as JSON beside the settings.
        self.builder_lists: dict[str, Any] = {
            "fields": self.instance.fields or None,
            "consents": self.instance.consents or [],
        }
        if self.is_bound:
            for name in ("fields", "consents"):
                raw = self.data.get(f"{name}_json", "")
                try:
                    self.builder_lists[name] = json.loads(raw) if raw and len(raw) <= MAX_JSON else None
                except ValueError:
                    self.builder_lists[name] = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.builder_lists["fields"] is None or self.builder_lists["consents"] is None:
            raise forms.ValidationError(_("The builder's data could not be read; reload the page."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """What the service takes."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["fields"] = self.builder_lists["fields"]
        data["consents"] = self.builder_lists["consents"]
        data["allowed_origins"] = self.cleaned_data.get("allowed_origins_text") or ""
        return data


class SubmissionFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label=_("Status"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False, max_length=200, label=_("E-mail contains"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from modules.marketing.webforms.choices import SubmissionStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *SubmissionStatus.choices]  # type: ignore[attr-defined]
