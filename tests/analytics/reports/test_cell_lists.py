"""Every group of every report source clicks through to a list that shows exactly the records it
counted: groups by choices with empty values, by fields one link away and by date and date-time
buckets (day, week, month, fiscal quarter and year) in a tenant zone far from UTC, with records
on the buckets' edges. The list's count is the group's count, and its rows are the group's records."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.analytics.reports.execution import run_report
from modules.analytics.reports.presentation import shown_rows
from modules.analytics.reports.selectors import access_for, checked
from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead, Order
from modules.sales.services.orders import create_order
from modules.workspace.models import PROFILE_ID, WorkspaceProfile
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    ProductFactory,
)
from tests.tenancy import REP_EMAIL, TenantFixture, grant

ZONE = "Pacific/Auckland"
BUCKETS = ("day", "week", "month", "quarter", "year")


def edges() -> list[datetime]:
    """Moments on and one second either side of local midnights that start a week, a month and a
    fiscal year (April), all relative to today in the tenant's zone."""
    zone = zoneinfo.ZoneInfo(ZONE)
    today = timezone.now().astimezone(zone).date()
    month_start = today.replace(day=1) - timedelta(days=40)
    month_start = month_start.replace(day=1)
    monday = today - timedelta(days=today.weekday() + 14)
    april = today.replace(year=today.year - 1, month=4, day=1)
    moments = []
    for day in (month_start, monday, april):
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        moments += [midnight - timedelta(seconds=1), midnight, midnight + timedelta(seconds=1)]
    return moments


@pytest.fixture
def records(alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(alpha.tenant, "time_zone", ZONE)
    alpha.tenant.save(update_fields=["time_zone"])
    with alpha.active():
        WorkspaceProfile.objects.update_or_create(pk=PROFILE_ID, defaults={"fiscal_year_start_month": 4})
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        moments = edges()
        zone = zoneinfo.ZoneInfo(ZONE)
        products = [ProductFactory(name="Widget"), ProductFactory(name="Gadget"), None]  # None: a free-text line
        companies = [
            CompanyFactory(industry=["Retail", "", "Retail"][n % 3], owner=[admin, rep, None][n % 3])
            for n in range(len(moments))
        ]
        for company, moment in zip(companies, moments, strict=True):
            Company.objects.filter(pk=company.pk).update(created_at=moment)
        for n, moment in enumerate(moments):
            contact = ContactFactory(company=companies[n] if n % 2 else None, owner=admin, job_title="")
            Contact.objects.filter(pk=contact.pk).update(created_at=moment)
            lead = LeadFactory(owner=admin if n % 2 else None, source=["", "web"][n % 2])
            Lead.objects.filter(pk=lead.pk).update(created_at=moment, converted_at=moment if n % 3 == 0 else None)
            deal = DealFactory(owner=admin, company=companies[n] if n % 3 else None, closed_at=moment)
            Deal.objects.filter(pk=deal.pk).update(created_at=moment)
            ActivityFactory(
                due_at=moment, assignee=[admin, rep, None][n % 3], company=companies[n] if n % 2 else None,
                status=[ActivityStatus.OPEN, ActivityStatus.DONE][n % 2],
            )  # fmt: skip
            order = create_order(
                by=admin, company=companies[n] if n % 2 else None, contact=contact,
                ordered_on=moment.astimezone(zone).date(),
                lines=[{"description": "Goods", "quantity": Decimal(1), "unit_price": Decimal("10.00"),
                        "product": products[n % 3]}],
            )  # fmt: skip
            Order.objects.filter(pk=order.pk).update(paid_at=moment if n % 2 else None)
    return {"moments": moments}


def dated(field: str) -> list[dict[str, Any]]:
    return [{"group_by": [{"field": field, "bucket": bucket}]} for bucket in BUCKETS]


DEFINITIONS: dict[str, list[dict[str, Any]]] = {
    "companies": [
        *dated("created_at"),
        {"group_by": [{"field": "industry"}]},
        {"group_by": [{"field": "owner"}, {"field": "created_at", "bucket": "month"}]},
    ],
    "contacts": [
        *dated("created_at"),
        {"group_by": [{"field": "company.industry"}]},
        {"group_by": [{"field": "company"}]},
    ],
    "leads": [*dated("created_at"), *dated("converted_at"), {"group_by": [{"field": "source"}, {"field": "owner"}]}],
    "deals": [
        *dated("closed_at"),
        {"group_by": [{"field": "company.industry"}]},
        {"group_by": [{"field": "stage"}, {"field": "closed_at", "bucket": "quarter"}]},
    ],
    "orders": [*dated("ordered_on"), *dated("paid_at"), {"group_by": [{"field": "company"}]}],
    "order_lines": [
        *dated("order.ordered_on"),
        {"group_by": [{"field": "product"}]},
        {"group_by": [{"field": "order.company"}, {"field": "order.status"}]},
        {
            "group_by": [{"field": "order.owner"}],
            "filters": [{"field": "order.status", "op": "eq", "value": "confirmed"}],
        },
    ],
    "activities": [
        *dated("due_at"),
        {"group_by": [{"field": "assignee"}]},
        {"group_by": [{"field": "status"}, {"field": "company.industry"}]},
    ],
}


def groups_with_links(alpha: TenantFixture, email: str | None, source_key: str, definition: dict[str, Any]):
    with alpha.active():
        user = alpha.user(email) if email else alpha.user()
        source, _fields, spec = checked(source_key, definition, access_for(user))
        result = run_report(source, spec, user)
        return [
            (raw.values[0], shown.url, shown.labels) for raw, shown in zip(result.rows, shown_rows(result), strict=True)
        ]


@pytest.mark.parametrize("source_key", sorted(DEFINITIONS))
def test_every_group_lists_exactly_the_records_it_counted(alpha: TenantFixture, records, source_key: str):
    client = alpha.client()
    checked_groups = 0
    for definition in DEFINITIONS[source_key]:
        groups = groups_with_links(alpha, None, source_key, definition)
        assert groups, definition
        assert sum(count for count, _url, _labels in groups) == len(records["moments"])
        for count, url, labels in groups:
            assert url, (definition, labels)
            response = client.get(url)
            assert response.status_code == 200, (definition, labels, url)
            assert response.context["count"].value == count, (definition, labels, url)
            checked_groups += 1
    assert checked_groups > len(DEFINITIONS[source_key])


def test_empty_groups_and_date_time_buckets_narrow_the_list_to_the_cell(alpha: TenantFixture, records):
    groups = groups_with_links(alpha, None, "companies", {"group_by": [{"field": "industry"}]})
    by_label = {labels[0]: (count, url) for count, url, labels in groups}

    count, url = by_label["(empty)"]
    response = alpha.client().get(url)

    assert "cell=" in url
    assert response.context["count"].value == count == 3
    assert {row.industry for row in response.context["rows"]} == {""}
    body = response.content.decode()
    assert "Report group: (empty)" in body
    # A narrowed list exports what it shows (test_cell_list_exports.py): its links carry the cell.
    assert 'data-testid="export-menu"' in body
    assert "/exports/list/company/csv/?" in body
    assert "cell=" in body.split("/exports/list/company/csv/?")[1][:2000]


def test_a_rep_following_the_admins_link_sees_only_their_own_records(alpha: TenantFixture, records):
    grant(alpha, "sales_rep", "analytics.view")
    groups = groups_with_links(alpha, None, "activities", {"group_by": [{"field": "due_at", "bucket": "year"}]})
    rep = alpha.client(REP_EMAIL)
    seen = sum(rep.get(url).context["count"].value for _count, url, _labels in groups)
    with alpha.active():
        own = Activity.objects.filter(assignee=alpha.user(REP_EMAIL)).count()
    assert 0 < seen == own < len(records["moments"])


def test_a_forged_or_foreign_cell_is_refused_by_name(alpha: TenantFixture, records):
    groups = groups_with_links(alpha, None, "companies", {"group_by": [{"field": "industry"}]})
    url = next(url for _count, url, labels in groups if labels[0] == "(empty)")
    token = url.split("cell=")[1]
    client = alpha.client()

    forged = client.get(f"/companies/?cell={token[:-2]}xx")
    foreign = client.get(f"/contacts/?cell={token}")

    assert forged.status_code == 400
    assert "cell:" in forged.content.decode()
    assert foreign.status_code == 400
    assert "cell:" in foreign.content.decode()


def test_a_cell_needs_analytics_view_and_is_bound_to_its_tenant(alpha: TenantFixture, beta: TenantFixture, records):
    groups = groups_with_links(alpha, None, "companies", {"group_by": [{"field": "industry"}]})
    url = next(url for _count, url, labels in groups if labels[0] == "(empty)")

    assert alpha.client(REP_EMAIL).get(url).status_code == 403
    assert beta.client().get(url).status_code == 404
