"""A service team with hand-built cases whose every report and widget figure the tests know.

The tenant is in Europe/Bucharest (UTC+2 in winter). Ada (an agent seeing her own cases) works
the Desk queue; Ben is another agent; the administrator sees everything. Cases (agent, queue,
channel, priority, status, opened → first reply, solved; UTC):

    C1  Ada  Desk  email   high    solved   2025-02-03 08:00 → +2 h,  solved +10 h
    C2  Ada  Desk  phone   normal  open     2025-02-04 08:00 → +4 h
    C3  —    Desk  email   urgent  new      2025-02-11 08:00            (unassigned, in Ada's queue)
    C4  Ben  —     portal  low     solved   2025-02-12 08:00 → +1 h,  solved +30 h
    C5  —    Back  email   normal  new      2025-01-20 08:00            (unassigned, another queue)

Ada sees C1–C3, the administrator all five.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from identity.models import Role, Team, User
from identity.permissions import module_permission_codes
from identity.services.accounts import create_user
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.service.models import Case, CaseStatus
from modules.service.services.cases import create_case
from modules.service.services.statuses import seed_service
from tests.tenancy import TenantFixture

PASSWORD = "service-story-password-1"
FEBRUARY = DashboardFilters(start=date(2025, 2, 1), end=date(2025, 2, 28))


@dataclass
class World:
    admin: User
    ada: User
    ben: User
    desk: Team
    cases: dict[str, Case]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def world(alpha: TenantFixture) -> World:
    alpha.tenant.time_zone = "Europe/Bucharest"
    alpha.tenant.save(update_fields=["time_zone"])
    with alpha.active():
        seed_service()
        role = Role.objects.create(
            key="own_agent", name="Own agent", record_visibility="own",
            permissions=[*module_permission_codes("contacts", "service"), "analytics.view"],
        )  # fmt: skip
        desk, back = Team.objects.create(name="Desk"), Team.objects.create(name="Back office")
        ada = create_user(email="ada@example.test", password=PASSWORD, full_name="Ada", role=role, teams=[desk])
        ben = create_user(email="ben@example.test", password=PASSWORD, full_name="Ben", role=role)
        statuses = {status.key: status for status in CaseStatus.objects.all()}
        rows = {
            "C1": (ada, desk, "email", "high", "solved", "2025-02-03T08:00:00", 2, 10),
            "C2": (ada, desk, "phone", "normal", "open", "2025-02-04T08:00:00", 4, None),
            "C3": (None, desk, "email", "urgent", "new", "2025-02-11T08:00:00", None, None),
            "C4": (ben, None, "portal", "low", "solved", "2025-02-12T08:00:00", 1, 30),
            "C5": (None, back, "email", "normal", "new", "2025-01-20T08:00:00", None, None),
        }
        cases = {}
        for name, (owner, team, channel, priority, status, opened, replied, solved) in rows.items():
            case = create_case(
                by=None, subject=name, owner=owner, team=team, channel=channel, priority=priority,
                status=statuses[status],
            )  # fmt: skip
            start = moment(opened)
            Case.objects.filter(pk=case.pk).update(
                created_at=start,
                first_response_at=start + timedelta(hours=replied) if replied is not None else None,
                solved_at=start + timedelta(hours=solved) if solved is not None else None,
            )
            cases[name] = Case.objects.get(pk=case.pk)
        return World(admin=alpha.user(), ada=ada, ben=ben, desk=desk, cases=cases)
