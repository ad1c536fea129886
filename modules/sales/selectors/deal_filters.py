"""The deal list's filters that analyses link to (hidden: set by a link, with no control above the
list): a team, a product, and the company's segment and region (close days are ``deals._local_days``).
``NONE`` asks for the deals whose company has no value (or no company).

A deal carries a product by ``deal_products``' rule, the one sales by product counts with."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from core.input_bounds import text_problem
from modules.contacts.company_size import size_band_filter
from modules.sales.models import Deal
from modules.sales.selectors.deal_products import carrying_product

NONE = "none"
FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
HIDDEN_DEAL_FILTERS = ("team", "product", "industry", "size", "country", "region", "company_field", "company_value")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _company_value(queryset: QuerySet[Deal], path: str, value: str) -> QuerySet[Deal]:
    if value == NONE:
        return queryset.filter(Q(company__isnull=True) | Q(**{f"company__{path}": ""}))
    return queryset.filter(**{f"company__{path}": value})


def filter_deals_for_analyses(queryset: QuerySet[Deal], params: Mapping[str, str]) -> QuerySet[Deal]:
    texts = [params.get(name) or "" for name in ("industry", "country", "region", "company_value")]
    if any(len(text) > 200 or text_problem(text) for text in texts):
        return queryset.none()  # no company holds such a value (and PostgreSQL takes no NUL)
    team = _int(params.get("team"))
    if team is not None:
        queryset = queryset.filter(owner__teams__id=team)
    product = _int(params.get("product"))
    if product is not None:
        queryset = queryset.filter(carrying_product(product))
    for name in ("industry", "country", "region"):
        if params.get(name):
            queryset = _company_value(queryset, name, params[name])
    size = params.get("size")
    if size == NONE:
        queryset = queryset.filter(Q(company__isnull=True) | Q(company__employee_count__isnull=True))
    elif size:
        band = size_band_filter(size, "company__employee_count")
        queryset = queryset.filter(band) if band is not None else queryset.none()
    key, value = params.get("company_field", ""), params.get("company_value", "")
    if key and value:
        if not FIELD_KEY.fullmatch(key):
            return queryset.none()
        queryset = queryset.alias(_company_field=KeyTextTransform(key, "company__custom"))
        if value == NONE:
            queryset = queryset.filter(Q(_company_field__isnull=True) | Q(_company_field=""))
        else:
            queryset = queryset.filter(_company_field=value)
    return queryset
