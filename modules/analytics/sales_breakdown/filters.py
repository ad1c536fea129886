"""The parameters of sales by product, segment and region, one form for the page and the APIs: an
invalid one is a 400 naming it. A fiscal period (``period``) sets the dates; otherwise ``start`` and
``end`` do, the current fiscal quarter when neither is given."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.analytics.funnel.filters import PeriodOwnerTeamCleaning
from modules.workspace.fiscal import add_months, fiscal_quarter_start, fiscal_start_month, fiscal_year_start

MAX_DAYS = 3660
BIGINT = 2**63 - 1
DIMENSION_CHOICES = (
    ("product", _("Product")),
    ("industry", _("Industry")),
    ("size", _("Company size")),
    ("custom", _("Company field")),
    ("country", _("Country")),
    ("region", _("Region")),
)
PERIOD_CHOICES = (
    ("", _("Chosen dates")),
    ("this-month", _("This month")),
    ("last-month", _("Last month")),
    ("this-quarter", _("This fiscal quarter")),
    ("last-quarter", _("Last fiscal quarter")),
    ("this-year", _("This fiscal year")),
    ("last-year", _("Last fiscal year")),
)
# Company custom fields whose stored value is one plain value a group can be named by.
GROUPABLE_TYPES = (FieldType.TEXT, FieldType.SINGLE_SELECT, FieldType.BOOLEAN, FieldType.NUMBER)


def groupable_fields() -> list[CustomFieldDefinition]:
    return list(
        CustomFieldDefinition.objects.filter(
            entity=Entity.COMPANY, archived_at__isnull=True, field_type__in=GROUPABLE_TYPES
        ).order_by("position", "id")
    )


def period_dates(period: str, today: dt.date, start_month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a named period holding (or before) ``today``."""
    months, first = {
        "this-month": (1, today.replace(day=1)),
        "last-month": (1, add_months(today, -1)),
        "this-quarter": (3, fiscal_quarter_start(today, start_month)),
        "last-quarter": (3, add_months(fiscal_quarter_start(today, start_month), -3)),
        "this-year": (12, fiscal_year_start(today, start_month)),
        "last-year": (12, add_months(fiscal_year_start(today, start_month), -12)),
    }[period]
    return first, add_months(first, months) - dt.timedelta(days=1)


class SalesBreakdownForm(PeriodOwnerTeamCleaning, forms.Form):
    by = forms.ChoiceField(label=_("Group by"), choices=DIMENSION_CHOICES, required=False)
    field = forms.CharField(label=_("Company field"), required=False, max_length=40)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    owner = forms.IntegerField(label=_("Owner"), required=False, min_value=1, max_value=BIGINT)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=BIGINT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_fields = groupable_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["by"] = data.get("by") or "product"
        definition = None
        if data["by"] == "custom" and "field" in data:
            definition = next((d for d in self.custom_fields if d.key == data["field"]), None)
            if definition is None:
                self.add_error("field", _("Choose a company field to group by."))
        data["definition"] = definition
        if data["by"] != "custom":
            data["field"] = ""
        if data.get("period"):
            data["start"], data["end"] = period_dates(data["period"], timezone.localdate(), fiscal_start_month())
        elif "start" in data and "end" in data:
            if data["start"] is None and data["end"] is None:
                data["start"], data["end"] = period_dates("this-quarter", timezone.localdate(), fiscal_start_month())
            else:
                end = data["end"] or timezone.localdate()
                start = data["start"] or fiscal_quarter_start(end, fiscal_start_month())
                if start > end:
                    self.add_error("end", _("The end comes before the start."))
                elif (end - start).days >= MAX_DAYS:
                    self.add_error("end", _("Choose a period of at most ten years."))
                data["start"], data["end"] = start, end
        return data
