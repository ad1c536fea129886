"""The rule list's parameters, one form for the page and the APIs: an invalid one is a 400 naming it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# Sort key → ordering of the rules (ties by id, so pages are stable).
SORTS: dict[str, tuple[str, ...]] = {
    "-lift": ("-lift", "-confidence", "id"),
    "lift": ("lift", "confidence", "id"),
    "-confidence": ("-confidence", "-lift", "id"),
    "confidence": ("confidence", "lift", "id"),
    "-support": ("-support", "-lift", "id"),
    "support": ("support", "lift", "id"),
}
PAGE_SIZE = 50
MAX_PAGE = 10_000


class RuleFilterForm(forms.Form):
    product = forms.IntegerField(label=_("Product"), required=False, min_value=1, max_value=2**63 - 1)
    min_support = forms.DecimalField(
        label=_("Support at least (%)"), required=False, min_value=0, max_value=100, max_digits=7, decimal_places=3
    )
    min_confidence = forms.DecimalField(
        label=_("Confidence at least (%)"), required=False, min_value=0, max_value=100, max_digits=6, decimal_places=2
    )
    min_lift = forms.DecimalField(
        label=_("Lift at least"), required=False, min_value=0, max_value=1_000_000, max_digits=12, decimal_places=3
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-lift", _("Lift, highest first")),
            ("lift", _("Lift, lowest first")),
            ("-confidence", _("Confidence, highest first")),
            ("confidence", _("Confidence, lowest first")),
            ("-support", _("Support, highest first")),
            ("support", _("Support, lowest first")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the framework's small controls, like the lists' filters
            small = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", small)

    def filters(self) -> dict[str, Any]:
        """The cleaned values with their defaults (call after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "product": data.get("product"),
            "min_support": data.get("min_support"),
            "min_confidence": data.get("min_confidence"),
            "min_lift": data.get("min_lift"),
            "sort": data.get("sort") or "-lift",
            "page": data.get("page") or 1,
        }
