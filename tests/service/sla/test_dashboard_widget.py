"""The "SLA compliance" dashboard widget: share of targets met over the period, honouring the owner
filter, offered only with the service module and service.view_reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from modules.analytics.dashboards.widgets import DashboardFilters, available_widgets, widget_named
from modules.service.choices import MessageAuthor
from modules.service.services.cases import add_message
from tenants.models import Tenant
from tests.service.conftest import make_case
from tests.service.sla.helpers import office_calendar, standard_policy
from tests.tenancy import REP_EMAIL, TenantFixture

BERLIN = ZoneInfo("Europe/Berlin")
JUNE = DashboardFilters(start=date(2025, 6, 1), end=date(2025, 6, 30))


def test_the_widget_counts_targets_met_and_missed_in_the_period(alpha: TenantFixture) -> None:
    kind = widget_named("service-sla-compliance")
    assert kind is not None
    with alpha.active():
        office_calendar()
        standard_policy(first_response=30, resolution=None)
        agent = alpha.user()
    for minutes in (10, 20, 50):  # two in time, one late
        with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=BERLIN), tick=False):
            case = make_case(alpha, owner=agent)
        with time_machine.travel(datetime(2025, 6, 2, 9, minutes, tzinfo=BERLIN), tick=False), alpha.active():
            add_message(case, by=agent, author_kind=MessageAuthor.AGENT, body_text="Hello")
    with alpha.active():
        data = kind.compute(agent, JUNE)
        assert (data.value, data.unit) == (Decimal("66.7"), "%")
        assert data.previous is None  # nothing in May
        assert data.url == "/service/sla/compliance/?start=2025-06-01&end=2025-06-30"
        nobody = DashboardFilters(start=JUNE.start, end=JUNE.end, owner_ids=frozenset({alpha.user(REP_EMAIL).pk}))
        assert kind.compute(agent, nobody).value is None


def test_the_widget_is_offered_with_the_module_and_the_permission_only(alpha: TenantFixture) -> None:
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        assert "service-sla-compliance" in {kind.key for kind in available_widgets(alpha.tenant, admin)}
        assert "service-sla-compliance" not in {kind.key for kind in available_widgets(alpha.tenant, rep)}
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales", "analytics"])
    alpha.tenant.refresh_from_db()
    with alpha.active():
        assert "service-sla-compliance" not in {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
