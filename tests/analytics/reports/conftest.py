"""A sales team with hand-built deals whose every figure the report tests know exactly.

Mara manages team North (team visibility) with Ana in it; Cid is in team South. Deals (amount,
currency, owner, closed at, region custom field):

    A1  Ana  1,000.00 EUR  closed 2025-01-31 21:30 UTC (23:30 in Bucharest: January)   north
    A2  Ana    500.00 EUR  closed 2025-01-31 22:30 UTC (00:30 in Bucharest: February)  north
    A3  Ana    200.00 USD  closed 2025-02-10 10:00 UTC                                 south
    M1  Mara   300.00 EUR  closed 2025-03-03 10:00 UTC                                 (none)
    C1  Cid  4,000.00 EUR  closed 2025-01-15 10:00 UTC                                 south

One USD is 0.90 EUR from 2024-01-01 (A3 counts 180.00 EUR). Ana sees A1–A3, Mara A1–A3 and M1,
the administrator everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from customization.fields.services import create_definition
from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.contacts.models import ExchangeRate
from modules.sales.models import Deal
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import TenantFixture, grant

PASSWORD = "report-story-password-1"


@dataclass
class World:
    admin: User
    mara: User
    ana: User
    cid: User
    deals: dict[str, Deal]
    team: Team


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def world(alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(alpha.tenant, "time_zone", "Europe/Bucharest")
    alpha.tenant.save(update_fields=["time_zone"])
    grant(alpha, "sales_rep", "analytics.view")
    with alpha.active():
        manager, rep = Role.objects.get(key="manager"), Role.objects.get(key="sales_rep")
        north, south = Team.objects.create(name="North"), Team.objects.create(name="South")
        mara = create_user(email="mara@example.test", password=PASSWORD, full_name="Mara", role=manager, teams=[north])
        ana = create_user(email="ana@example.test", password=PASSWORD, full_name="Ana", role=rep, teams=[north])
        cid = create_user(email="cid@example.test", password=PASSWORD, full_name="Cid", role=rep, teams=[south])
        admin = alpha.user()
        create_definition(
            by=admin, entity="deal", key="region", label="Region", field_type="single_select",
            options=[{"value": "north", "label": "North"}, {"value": "south", "label": "South"}],
        )  # fmt: skip
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.90"), valid_from=date(2024, 1, 1))
        company = CompanyFactory(industry="Retail", owner=ana)
        rows: dict[str, tuple[User, str, str, str, str | None]] = {
            "A1": (ana, "1000.00", "EUR", "2025-01-31T21:30:00", "north"),
            "A2": (ana, "500.00", "EUR", "2025-01-31T22:30:00", "north"),
            "A3": (ana, "200.00", "USD", "2025-02-10T10:00:00", "south"),
            "M1": (mara, "300.00", "EUR", "2025-03-03T10:00:00", None),
            "C1": (cid, "4000.00", "EUR", "2025-01-15T10:00:00", "south"),
        }
        deals = {}
        for name, (owner, amount, currency, closed, region) in rows.items():
            custom: dict[str, Any] = {"region": region} if region else {}
            deals[name] = DealFactory(
                name=name, owner=owner, amount=Decimal(amount), currency=currency, closed_at=_moment(closed),
                custom=custom, company=company if owner == ana else None,
            )  # fmt: skip
        return World(admin=admin, mara=mara, ana=ana, cid=cid, deals=deals, team=north)


from tests.mail_server import smtp_server  # noqa: E402, F401 - the real SMTP server fixture
