"""The segment form: name, description, kind and the rules (a JSON document the builder keeps in a
hidden input; the service checks it and names the wrong part)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.marketing.choices import SegmentKind

MAX_RULES_BYTES = 100_000


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=SegmentKind.choices)
    rules = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_RULES_BYTES)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["kind"].disabled = True

    def clean_rules(self) -> Any:
        raw = self.cleaned_data.get("rules") or ""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("The rules are not readable.")) from None


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file of e-mail addresses"))


class AddContactsForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses, one a line"), widget=forms.Textarea(attrs={"rows": 3}), max_length=100_000
    )
