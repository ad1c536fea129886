"""The plan editor's form: plan fields, and the price grid (currency × interval) read from the
request, with seat prices entered in major units ("19.00") and kept in minor units."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.choices import Currency, Interval
from billing.entitlements import LIMIT_KEYS
from billing.models import Plan
from billing.money import to_major, to_minor
from billing.services.plans import MAX_SORT_ORDER, MAX_TRIAL_DAYS, PLAN_FIELDS, PriceCell, price_field
from modules.registry import MODULES_BY_KEY, OPTIONAL_MODULE_KEYS

# Every currency we price in has two decimals.
AMOUNT = re.compile(r"^\d{1,8}(?:[.,]\d{1,2})?$")


PRICE_FIELD = re.compile(r"^prices\[(\w+)\]\[(\w+)\]$")


def _model_label(field: str) -> str:
    return capfirst(str(getattr(Plan._meta.get_field(field), "verbose_name", field)))


class PlanForm(forms.Form):
    key = forms.SlugField(
        label=gettext_lazy("Key"), max_length=40, help_text=gettext_lazy("Used in links and by the signup page.")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea)
    modules = forms.MultipleChoiceField(
        label=gettext_lazy("Modules"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[(key, MODULES_BY_KEY[key].label) for key in OPTIONAL_MODULE_KEYS],
    )
    trial_days = forms.IntegerField(label=gettext_lazy("Trial days"), min_value=0, max_value=MAX_TRIAL_DAYS)
    trial_requires_card = forms.BooleanField(label=gettext_lazy("A trial requires a card"), required=False)
    is_public = forms.BooleanField(label=gettext_lazy("Offered on the public site"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Open to new subscriptions"), required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=MAX_SORT_ORDER)

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {field: getattr(plan, field) for field in PLAN_FIELDS}
        super().__init__(*args, **kwargs)
        for field in LIMIT_KEYS:
            self.fields[field] = forms.IntegerField(
                label=_model_label(field),
                required=False,
                min_value=1 if field == "seat_limit" else 0,
                widget=forms.NumberInput(attrs={"placeholder": _("Unlimited")}),
            )
            if plan is not None:
                self.initial.setdefault(field, getattr(plan, field))
        if plan is not None:
            # Subscriptions and links name the plan by its key.
            self.fields["key"].disabled = True
        else:
            self.initial.setdefault("trial_days", 14)
            self.initial.setdefault("is_public", True)
            self.initial.setdefault("is_active", True)
            self.initial.setdefault("sort_order", 0)

    @property
    def limit_fields(self) -> list[forms.BoundField]:
        return [self[field] for field in LIMIT_KEYS]

    def plan_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in PLAN_FIELDS}


def error_summary(form: forms.Form, errors: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """(field name, what people call it, messages) of each error, for the list above the form."""
    summary = []
    for field, messages in errors.items():
        price = PRICE_FIELD.match(field)
        if field in form.fields:
            label = str(form[field].label)
        elif price and price.group(2) in Interval.values:
            label = f"{price.group(1)} · {Interval(price.group(2)).label}"
        elif field == "prices":
            label = _("Prices")
        else:
            label = field
        summary.append((field, label, messages))
    return summary


def amount_text(minor: int | None) -> str:
    return "" if minor is None else f"{to_major(minor):.2f}"


def read_price_grid(data: QueryDict) -> tuple[dict[str, dict[str, PriceCell]], dict[str, list[str]]]:
    """The grid sent by the editor (``prices[EUR][month]``, ``stripe_price_ids[EUR][month]``), and
    the errors of the cells whose amount is not a price."""
    grid: dict[str, dict[str, PriceCell]] = {}
    errors: dict[str, list[str]] = {}
    for currency in Currency.values:
        for interval in Interval.values:
            name = price_field(currency, interval)
            if name not in data:
                continue
            text = data.get(name, "").strip().replace(" ", "")
            stripe_id = data.get(f"stripe_price_ids[{currency}][{interval}]", "").strip()
            if text and not AMOUNT.match(text):
                errors[name] = [_("Enter a price per seat like 19.00.")]
                continue
            minor = to_minor(Decimal(text.replace(",", "."))) if text else None
            grid.setdefault(currency, {})[interval] = PriceCell(seat_amount=minor, stripe_price_id=stripe_id)
    return grid, errors


def price_grid_rows(plan: Plan | None, data: QueryDict | None, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The grid as the template draws it: the values sent back, else the plan's prices."""
    saved = {(p.currency, p.interval): p for p in plan.prices.all()} if plan is not None and plan.pk else {}
    rows = []
    for currency in Currency.values:
        cells = []
        for interval, interval_label in Interval.choices:
            name = price_field(currency, interval)
            stripe_name = f"stripe_price_ids[{currency}][{interval}]"
            price = saved.get((currency, interval))
            if data is not None:
                amount, stripe_id = data.get(name, ""), data.get(stripe_name, "")
            else:
                amount = amount_text(None if price is None else price.seat_amount)
                stripe_id = "" if price is None else price.stripe_price_id
            cells.append(
                {
                    "interval": interval,
                    "interval_label": interval_label,
                    "name": name,
                    "stripe_name": stripe_name,
                    "amount": amount,
                    "stripe_price_id": stripe_id,
                    "errors": errors.get(name, []),
                }
            )
        rows.append({"currency": currency, "cells": cells})
    return rows
