from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.forms import time_zone_choices
from modules.contacts.money import CURRENCY_CHOICES
from modules.workspace.choices import DateFormat, Month, Weekday


class WorkspaceForm(forms.Form):
    """Settings → Workspace. The service checks again (IBAN, hours, bounds) and names the field."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    street = forms.CharField(label=_("Street"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, min_length=2, required=False,
                              help_text=_("ISO 3166 code, e.g. RO."))  # fmt: skip
    tax_id = forms.CharField(label=_("Tax id"), max_length=50, required=False,
                             help_text=_("VAT or company registration number."))  # fmt: skip
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False)
    bank_details_extra = forms.CharField(
        label=_("Other payment details"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("SWIFT/BIC, account number, notes: one a line."),
    )  # fmt: skip
    currency = forms.ChoiceField(label=_("Default currency"), choices=CURRENCY_CHOICES)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    date_format = forms.ChoiceField(label=_("Date format"), choices=DateFormat.choices, required=False)
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), choices=Month.choices, coerce=int
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"), choices=Weekday.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    working_hours_start = forms.TimeField(label=_("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    working_hours_end = forms.TimeField(label=_("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    brand_color = forms.CharField(
        label=_("Brand colour"), max_length=7, required=False,
        help_text=_("The customer portal's accent colour, as #rrggbb (e.g. #1d4ed8)."),
        widget=forms.TextInput(attrs={"placeholder": "#1d4ed8"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)  # noqa: S101 (declared above)
        zone.choices = time_zone_choices()[1:]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"), help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp",
                                               "class": "form-control"}),
    )  # fmt: skip
