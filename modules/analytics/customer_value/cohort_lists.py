"""The company and contact lists narrowed to one cell of the cohort grid, so each count of the grid
opens the customers it counts: ``?cohort=2026-03`` (the customers whose first order fell in March
2026) or ``?cohort=2026-03:2`` (those of them who ordered again two months later).

Registered as a list narrowing (``modules.lists.definition.Narrowing``) from
``CustomerValueConfig.ready()``. The customers are worked out by the grid's own query for whoever
follows the link (their visibility, their time zone's today), so a count and its list agree."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.customer_value.cohorts import cohort_customers
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.contacts.models import Company, Contact
from modules.registry import is_enabled

COHORT_PARAM = "cohort"
# The lists a cohort's customers are on: list key → (customer kind, model, list URL name).
LISTS: dict[str, tuple[str, Any, str]] = {
    "company": (COMPANY, Company, "contacts:company-list"),
    "contact": (CONTACT, Contact, "contacts:contact-list"),
}
VALUE = re.compile(r"^(\d{4})-(\d{2})(?::(\d{1,3}))?$")


def cohort_value(month: date, age: int) -> str:
    return f"{month:%Y-%m}" if age == 0 else f"{month:%Y-%m}:{age}"


def cohort_list_url(list_key: str, month: date, age: int) -> str:
    return f"{reverse(LISTS[list_key][2])}?{urlencode({COHORT_PARAM: cohort_value(month, age)})}"


def _read(value: str) -> tuple[date, int]:
    found = VALUE.match(value)
    try:
        if found is None:
            raise ValueError(value)
        month = date(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise ValidationError(
            {COHORT_PARAM: [_("Give the cohort's month as YYYY-MM, and the months after it as YYYY-MM:N.")]}
        ) from None
    return month, int(found[3] or 0)


def narrow_list_to_cohort(list_key: str, value: str, user: User) -> tuple[QuerySet[Any], str]:
    tenant = getattr(connection, "tenant", None)
    if not (is_enabled(tenant, "analytics") and is_enabled(tenant, "sales")) or not (
        user.has_perm("analytics.view") and user.has_perm("sales.view")
    ):
        raise PermissionDenied(_("Cohorts need the analytics and sales modules and their view permissions."))
    if list_key not in LISTS:
        raise ValidationError({COHORT_PARAM: [_("A cohort holds companies and contacts only.")]})
    month, age = _read(value)
    kind, model, _url = LISTS[list_key]
    customers = cohort_customers(user, today=timezone.localdate(), month=month, age=age)
    ids = [pk for customer_kind, pk in customers if customer_kind == kind]
    shown = formats.date_format(month, "YEAR_MONTH_FORMAT")
    if age:
        label = _("First ordered in %(month)s, ordered again %(age)s months later") % {"month": shown, "age": age}
    else:
        label = _("First ordered in %(month)s") % {"month": shown}
    return model.objects.filter(pk__in=ids).values("pk"), label
