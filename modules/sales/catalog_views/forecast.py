"""The forecast page (sales.view_reports) and quota editing (sales.manage_catalog)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.decorators import signed_in_user
from identity.models import User
from identity.visibility import visible_owner_ids
from modules.sales.catalog_views import sales_page
from modules.sales.choices import DealStatus
from modules.sales.models import Quota
from modules.sales.selectors.deal_filters import NONE
from modules.sales.selectors.forecast import Period, build_forecast, parse_period
from modules.sales.services.quotas import quota_field, set_quotas
from modules.workspace.fiscal import fiscal_start_month

GROUPING_LABELS = (
    ("owner", gettext_lazy("Owner and team")),
    ("product", gettext_lazy("Product")),
    ("industry", gettext_lazy("Industry")),
    ("country", gettext_lazy("Country")),
)


@sales_page("sales.view", "sales.view_reports")
def forecast(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    kind = request.GET.get("kind", "month")
    period = parse_period(kind, request.GET.get("period", ""), timezone.localdate(), fiscal_start_month())
    result = build_forecast(user, period, request.GET.get("by", "owner"))
    rows = result.owners if result.by == "owner" else result.groups
    measures = [("won", _("Won")), ("committed", _("Committed")), ("weighted", _("Weighted pipeline"))]
    if result.by == "owner":  # quotas are set per user: they have no meaning per product or segment
        measures.insert(0, ("quota", _("Quota")))
    chart = {
        "labels": [row.label for row in rows],
        "datasets": [
            {"label": str(label), "data": [float(getattr(row.figures, name)) for row in rows]}
            for name, label in measures
        ],
    }
    return render(
        request,
        "sales/forecast/forecast.html",
        {
            "forecast": result,
            "group_rows": [(row, *group_links(result.by, row.key, period)) for row in result.groups],
            "kind": period.kind,
            "by": result.by,
            "groupings": GROUPING_LABELS,
            "previous": period.shifted(-1),
            "next": period.shifted(1),
            "chart": chart,
        },
    )


def group_links(by: str, key: str, period: Period) -> tuple[str | None, str | None]:
    """The deal lists of a product, industry or country row: (its won deals closed in the period,
    its open deals expected to close in it), in the deal list's own parameters. "No product" has no
    list parameter, so no links."""
    if by == "product":
        if not key:
            return None, None
        group = [("product", key)]
    else:
        group = [(by, key or NONE)]
    last = period.end - dt.timedelta(days=1)
    won = [("status", DealStatus.WON), ("closed_from", period.start.isoformat()), ("closed_to", last.isoformat())]
    pipeline = [
        ("status", DealStatus.OPEN), ("expected_from", period.start.isoformat()), ("expected_to", last.isoformat()),
    ]  # fmt: skip
    deals = reverse("sales:deal-list")
    return f"{deals}?{urlencode([*won, *group])}", f"{deals}?{urlencode([*pipeline, *group])}"


def _quota_users(user: User) -> list[User]:
    users = User.objects.filter(is_active=True).order_by("full_name", "email")
    visible = visible_owner_ids(user)
    if visible is not None:
        users = users.filter(pk__in=visible)
    return list(users)


@sales_page("sales.view", "sales.manage_catalog")
def quota_edit(request: HttpRequest) -> HttpResponse:
    """A year of monthly quotas for every user the manager sees; an empty cell means no quota."""
    user = signed_in_user(request)
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    months = [dt.date(year, month, 1) for month in range(1, 13)]
    users = _quota_users(user)
    values: dict[str, str] = {
        quota_field(quota.user_id, quota.month): f"{quota.amount}"
        for quota in Quota.objects.filter(user__in=users, month__year=year)
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        amounts: dict[tuple[User, dt.date], Decimal | None] = {}
        for member in users:
            for month in months:
                name = quota_field(member.pk, month)
                raw = request.POST.get(name, "").strip().replace(",", ".")
                values[name] = raw
                try:
                    amounts[(member, month)] = Decimal(raw).quantize(Decimal("0.01")) if raw else None
                except InvalidOperation:
                    errors[name] = [_("Enter an amount.")]
        if not errors:
            try:
                set_quotas(amounts)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Quotas for %(year)s are saved.") % {"year": year})
                return redirect(f"{reverse('sales:quota-edit')}?year={year}")
    rows = [
        {
            "user": member,
            "cells": [
                {"name": quota_field(member.pk, month), "value": values.get(quota_field(member.pk, month), ""),
                 "errors": errors.get(quota_field(member.pk, month), [])}
                for month in months
            ],
        }
        for member in users
    ]  # fmt: skip
    return render(
        request,
        "sales/forecast/quotas.html",
        {"year": year, "months": months, "rows": rows, "errors": errors},
        status=400 if errors else 200,
    )
