"""Forms of the order pages: they check the shape of the input; the order service owns the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from customization.fields.form_fields import CustomFieldsMixin
from modules.contacts.models import Company, Contact
from modules.contacts.money import CURRENCY_CHOICES
from modules.contacts.widgets import RecordPicker
from modules.sales.catalog_forms import PERCENT_ATTRS, StyledForm
from modules.sales.forms.leads import active_users
from modules.sales.models import Deal, Order


class OrderForm(CustomFieldsMixin, StyledForm):
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False, widget=RecordPicker("company")
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False, widget=RecordPicker("contact")
    )
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=Deal.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=active_users(), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    ordered_on = forms.DateField(label=_("Order date"), widget=forms.DateInput(attrs={"type": "date"}))
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"), max_digits=5, decimal_places=2, initial=Decimal("0"), required=False,
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
    )  # fmt: skip
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company],
        contacts: QuerySet[Contact],
        deals: QuerySet[Deal],
        pricing: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        self.fields["company"].queryset = companies.order_by("name")  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["deal"].queryset = deals.order_by("name")  # type: ignore[attr-defined]
        if not pricing:  # currency and discount change only while the order is confirmed
            del self.fields["currency"], self.fields["discount_percent"]

    @classmethod
    def initial_for(cls, order: Order) -> dict[str, Any]:
        return {name: getattr(order, name) for name in cls.base_fields}

    def service_values(self) -> dict[str, Any]:
        values = {name: value for name, value in self.cleaned_data.items() if name in self.base_fields}
        if values.get("discount_percent") is None and "discount_percent" in self.fields:
            values["discount_percent"] = Decimal("0")
        return {name: value for name, value in values.items() if name in self.fields}
