"""Forms of the catalogue and quote pages: they check input shape; the services own the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.localized_dates import LocalizedDateField
from modules.contacts.money import CURRENCY_CHOICES
from modules.sales.models import PricedLine, PriceList, Product

PERCENT_ATTRS = {"step": "0.01", "min": "0", "max": "100"}


def _money(label: str | object, **kwargs: object) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and ``is-invalid`` on fields with errors once validated."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-errors"


class ProductForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    sku = forms.CharField(label=_("SKU"), max_length=64, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False, help_text=_("e.g. pcs, hour, licence"))
    unit_price = _money(_("Unit price"), min_value=Decimal("0"), widget=forms.NumberInput(attrs={"step": "0.01"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PriceListForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    valid_from = LocalizedDateField(label=_("Valid from"), required=False)
    valid_until = LocalizedDateField(label=_("Valid until"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PriceListItemForm(StyledForm):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True))
    unit_price = _money(_("Unit price"), min_value=Decimal("0"), widget=forms.NumberInput(attrs={"step": "0.01"}))


class QuoteForm(StyledForm):
    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.filter(is_active=True), required=False
    )
    valid_until = LocalizedDateField(label=_("Valid until"), required=False)
    discount_percent = forms.DecimalField(
        label=_("Quote discount (%)"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, currency: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if currency:
            field = self.fields["price_list"]
            field.queryset = PriceList.objects.filter(is_active=True, currency=currency)  # type: ignore[attr-defined]


class PricedLineForm(StyledForm):
    """A quote's or an order's line. Range rules (quantity > 0, percentages 0–100) are the
    service's, so API and page answer alike."""

    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=1000, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        initial=Decimal("1"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    unit_price = _money(_("Unit price"), required=False, widget=forms.NumberInput(attrs={"step": "0.01"}))
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
    )

    @classmethod
    def for_line(cls, line: PricedLine, data: object = None) -> PricedLineForm:
        """The form editing one existing line, its fields prefixed so several can share a page."""
        initial: dict[str, object] = {name: getattr(line, name) for name in cls.base_fields if name != "product"}
        initial["product"] = line.product_id  # type: ignore[attr-defined]
        return cls(data, initial=initial, prefix=f"line-{line.pk}")


class QuotaYearForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
