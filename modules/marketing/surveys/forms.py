"""The staff pages' forms: the survey's settings and the send page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from modules.marketing.models import Campaign, Segment
from modules.marketing.surveys.models import Survey

MAX_ADDRESSES = 1000


class SurveyForm(forms.ModelForm):
    """The survey's own fields; the questions come from the builder as one JSON document."""

    questions = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Survey
        fields = ["name", "kind", "language", "status", "intro", "thank_you", "email_subject", "campaign",
                  "share_mode", "open_case_for_detractors"]  # fmt: skip
        widgets = {"intro": forms.Textarea(attrs={"rows": 3}), "thank_you": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, service_enabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")  # type: ignore[attr-defined]
        if not service_enabled:
            del self.fields["open_case_for_detractors"]
        if self.instance.pk is None:
            del self.fields["status"]


class SendForm(forms.Form):
    """Whom to invite: a segment's contacts, or contacts by their e-mail addresses."""

    segment = forms.ModelChoiceField(queryset=Segment.objects.none(), required=False, label=_("Segment"))
    addresses = forms.CharField(
        label=_("Or contacts by e-mail address"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One address per line; each must be a contact's."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_addresses(self) -> list[str]:
        lines = [line.strip().lower() for line in self.cleaned_data["addresses"].replace(",", "\n").splitlines()]
        addresses = [line for line in lines if line]
        if len(addresses) > MAX_ADDRESSES:
            raise forms.ValidationError(
                _("At most %(count)d addresses; use a segment for more.") % {"count": MAX_ADDRESSES}
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": address[:80]}
                ) from None
        return addresses

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("segment") and not data.get("addresses"):
            raise forms.ValidationError(_("Choose a segment or give contacts' addresses."))
        return data
