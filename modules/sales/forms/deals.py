"""Deal create/edit, lost and move forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.localized_dates import LocalizedDateField
from customization.fields.form_fields import CustomFieldsMixin
from modules.contacts.models import Company, Contact
from modules.contacts.money import CURRENCY_CHOICES
from modules.contacts.services.tags import tags_from_names
from modules.contacts.widgets import RecordPicker
from modules.sales.forms.leads import active_users
from modules.sales.models import Deal, LostReason, Pipeline, Stage


class DealForm(CustomFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    probability = forms.IntegerField(
        label=_("Win probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave empty to use the stage's probability."),
    )
    expected_close_date = LocalizedDateField(label=_("Expected close date"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=active_users(), required=False)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False, widget=RecordPicker("company")
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False, widget=RecordPicker("contact")
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company],
        contacts: QuerySet[Contact],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        self.fields["company"].queryset = companies.order_by("name")  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts.order_by("full_name")  # type: ignore[attr-defined]
        if editing:  # stage and pipeline change by moving the deal
            del self.fields["pipeline"], self.fields["stage"]
        else:
            self.fields["pipeline"].queryset = Pipeline.objects.filter(is_archived=False)  # type: ignore[attr-defined]
            self.fields["stage"].queryset = Stage.objects.select_related("pipeline").order_by(  # type: ignore[attr-defined]
                "pipeline__position", "position"
            )

    @classmethod
    def initial_for(cls, deal: Deal) -> dict[str, Any]:
        initial = {name: getattr(deal, name) for name in cls.base_fields if name not in ("tags", "pipeline", "stage")}
        initial["tags"] = ", ".join(tag.name for tag in deal.tags.all())
        return initial

    def service_values(self) -> dict[str, Any]:
        values = {name: value for name, value in self.cleaned_data.items() if name in self.fields}
        values["tags"] = tags_from_names(str(values.get("tags") or "").split(","))
        if values.get("amount") is None:
            values.pop("amount")
        for name in ("pipeline", "stage"):
            if name in values and values[name] is None:
                values.pop(name)
        return values


class LostForm(forms.Form):
    lost_reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=LostReason.objects.filter(is_active=True), required=False
    )
    lost_note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MoveForm(forms.Form):
    """A board move: the target stage plus what the stage may require (and a reason when lost)."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.select_related("pipeline"))
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    expected_close_date = LocalizedDateField(required=False)
    description = forms.CharField(required=False)
    lost_reason = forms.ModelChoiceField(queryset=LostReason.objects.filter(is_active=True), required=False)
    lost_note = forms.CharField(required=False)

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("amount", "expected_close_date", "description")
            if name in self.data and self.cleaned_data.get(name) not in (None, "")
        }
