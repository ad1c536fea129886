"""A sales team with hand-built deals and leads whose every dashboard figure the tests know.

The tenant is in Europe/Bucharest (UTC+2 in winter). Mara manages team North (team visibility)
with Ana in it; Cid is in team South; the administrator sees everyone. The period under test is
February 2025 (previous period: 4–31 January, the same 28 days before).

Won and lost deals (owner, amount, closed at in UTC → local day, created that many days before):

    A1  Ana   won  1,000.00 EUR  2025-01-31 21:30 → Jan 31 (23:30)   previous period    30 days
    A2  Ana   won    500.00 EUR  2025-01-31 22:30 → Feb 1 (00:30)    in                 10 days
    A3  Ana   won    200.00 USD  2025-02-10 10:00 → Feb 10           in, 180.00 EUR     20 days
    A4  Ana   won    100.00 GBP  2025-02-20 10:00 → Feb 20           in, no GBP rate    40 days
    M1  Mara  won    300.00 EUR  2025-02-28 21:59 → Feb 28 (23:59)   in                 30 days
    C1  Cid   won  4,000.00 EUR  2025-02-15 10:00 → Feb 15           in                  5 days
    L1  Ana   lost   900.00 EUR  2025-02-05 10:00 → Feb 5            in
    L2  Mara  lost   900.00 EUR  2025-02-28 22:30 → Mar 1 (00:30)    out

USD is 0.90 EUR from 2024-01-01 and 0.80 from 2025-02-15 (A3 closed at 0.90; open USD deals today
convert at 0.80). Open deals (stage, amount): O1 Ana first stage 1,000.00 EUR, idle 15 days in a
stage that rots after 10 (stale); O2 Ana second stage 100.00 USD (80.00 EUR); O3 Mara first stage
50.00 EUR, idle 2 days; O4 Cid second stage 700.00 EUR.

Leads (owner, source, created at in UTC → local day): Ana website 2025-01-31 22:10 → Feb 1 (in);
Ana website 2025-01-31 21:50 → Jan 31 (out); Mara referral Feb 14 (in); Mara no source Feb 28
21:30 → Feb 28 (in); Cid website Feb 3 (in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.analytics.dashboards.widgets import DashboardFilters, WidgetData, widget_named
from modules.contacts.models import ExchangeRate
from modules.sales.models import Deal, Lead, Stage
from modules.sales.services.pipelines import default_pipeline
from tests.factories import DealFactory, LeadFactory
from tests.tenancy import TenantFixture, grant

PASSWORD = "dashboard-story-password-1"
FEBRUARY = DashboardFilters(start=date(2025, 2, 1), end=date(2025, 2, 28))


@dataclass
class World:
    admin: User
    mara: User
    ana: User
    cid: User
    deals: dict[str, Deal]
    stages: list[Stage]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def compute(alpha: TenantFixture, key: str, user: User, filters: DashboardFilters = FEBRUARY) -> WidgetData:
    kind = widget_named(key)
    assert kind is not None, key
    with alpha.active():
        return kind.compute(user, filters)


def list_count(alpha: TenantFixture, email: str, url: str | None) -> int:
    """How many rows the list at ``url`` shows ``email`` (every list's count in its context)."""
    assert url is not None
    response = alpha.client(email).get(url)
    assert response.status_code == 200, url
    return int(response.context["count"].value)


def client_of(alpha: TenantFixture, email: str) -> Client:
    return alpha.client(email)


@pytest.fixture
def world(alpha: TenantFixture) -> World:
    alpha.tenant.time_zone = "Europe/Bucharest"
    alpha.tenant.save(update_fields=["time_zone"])
    grant(alpha, "sales_rep", "analytics.view")
    with alpha.active():
        manager, rep = Role.objects.get(key="manager"), Role.objects.get(key="sales_rep")
        north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
        mara = create_user(email="mara@example.test", password=PASSWORD, full_name="Mara", role=manager, teams=[north])
        ana = create_user(email="ana@example.test", password=PASSWORD, full_name="Ana", role=rep, teams=[north])
        cid = create_user(email="cid@example.test", password=PASSWORD, full_name="Cid", role=rep, teams=[south])
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.90"), valid_from=date(2024, 1, 1))
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.80"), valid_from=date(2025, 2, 15))
        pipeline = default_pipeline()
        assert pipeline is not None
        stages = list(pipeline.stages.order_by("position", "id"))
        open_stages = [stage for stage in stages if stage.kind == "open"]
        won_stage = next(stage for stage in stages if stage.kind == "won")
        lost_stage = next(stage for stage in stages if stage.kind == "lost")
        Stage.objects.filter(pk=open_stages[0].pk).update(rotting_days=10)
        Stage.objects.filter(pk__in=[stage.pk for stage in open_stages[1:]]).update(rotting_days=None)
        closed = {
            "A1": (ana, "won", "1000.00", "EUR", "2025-01-31T21:30:00", 30),
            "A2": (ana, "won", "500.00", "EUR", "2025-01-31T22:30:00", 10),
            "A3": (ana, "won", "200.00", "USD", "2025-02-10T10:00:00", 20),
            "A4": (ana, "won", "100.00", "GBP", "2025-02-20T10:00:00", 40),
            "M1": (mara, "won", "300.00", "EUR", "2025-02-28T21:59:00", 30),
            "C1": (cid, "won", "4000.00", "EUR", "2025-02-15T10:00:00", 5),
            "L1": (ana, "lost", "900.00", "EUR", "2025-02-05T10:00:00", 3),
            "L2": (mara, "lost", "900.00", "EUR", "2025-02-28T22:30:00", 3),
        }
        deals = {}
        for name, (owner, status, amount, currency, closed_at, age) in closed.items():
            stage = won_stage if status == "won" else lost_stage
            deal = DealFactory(
                name=name, owner=owner, status=status, stage=stage, amount=Decimal(amount), currency=currency,
                closed_at=moment(closed_at),
            )  # fmt: skip
            Deal.objects.filter(pk=deal.pk).update(created_at=moment(closed_at) - timedelta(days=age))
            deals[name] = deal
        now = timezone.now()
        opened = {
            "O1": (ana, open_stages[0], "1000.00", "EUR", 15),
            "O2": (ana, open_stages[1], "100.00", "USD", 1),
            "O3": (mara, open_stages[0], "50.00", "EUR", 2),
            "O4": (cid, open_stages[1], "700.00", "EUR", 1),
        }
        for name, (owner, stage, amount, currency, idle) in opened.items():
            deals[name] = DealFactory(
                name=name, owner=owner, stage=stage, amount=Decimal(amount), currency=currency,
                stage_entered_at=now - timedelta(days=idle),
            )  # fmt: skip
        leads = (
            (ana, "website", "2025-01-31T22:10:00"),
            (ana, "website", "2025-01-31T21:50:00"),
            (mara, "referral", "2025-02-14T10:00:00"),
            (mara, "", "2025-02-28T21:30:00"),
            (cid, "website", "2025-02-03T10:00:00"),
        )
        for owner, source, created in leads:
            lead = LeadFactory(owner=owner, source=source)
            Lead.objects.filter(pk=lead.pk).update(created_at=moment(created))
        return World(admin=alpha.user(), mara=mara, ana=ana, cid=cid, deals=deals, stages=open_stages)
