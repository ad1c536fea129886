"""When a subscription is due: the hour in the tenant's zone on the frequency's days, the month's last
day for a day the month lacks, the clocks' changes, and one copy of the newest occurrence after an
outage. And the tasks do nothing outside a tenant or for another tenant's deliveries."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from modules.analytics.reports.delivery import sending
from modules.analytics.reports.delivery.models import ReportDelivery
from modules.analytics.reports.delivery.schedule import latest_due, next_after
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.delivery.tasks import run_due_report_deliveries, send_report_delivery
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.mail_server import MailServer
from tests.tenancy import TenantFixture

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _local(*parts: int, zone=BUCHAREST) -> datetime:
    return datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize(
    ("after", "schedule", "due"),
    [
        # Daily at 08:00: the same day when before eight, else the next.
        (_local(2026, 3, 2, 7, 59), {"frequency": "daily", "hour": 8}, _local(2026, 3, 2, 8)),
        (_local(2026, 3, 2, 8), {"frequency": "daily", "hour": 8}, _local(2026, 3, 3, 8)),
        # Weekly on Friday (4) from a Monday.
        (_local(2026, 3, 2, 9), {"frequency": "weekly", "hour": 8, "weekday": 4}, _local(2026, 3, 6, 8)),
        # Monthly on the 31st: February's last day, then March 31st.
        (_local(2026, 2, 1, 0), {"frequency": "monthly", "hour": 6, "day_of_month": 31}, _local(2026, 2, 28, 6)),
        (_local(2026, 2, 28, 6), {"frequency": "monthly", "hour": 6, "day_of_month": 31}, _local(2026, 3, 31, 6)),
        # Summer time: 08:00 in Bucharest is 05:00 UTC from the last Sunday of March.
        (_local(2026, 3, 28, 9), {"frequency": "daily", "hour": 8}, datetime(2026, 3, 29, 5, tzinfo=UTC)),
    ],
)
def test_the_next_occurrence_is_the_hour_in_the_zone(after, schedule, due):
    assert next_after(after, zone=BUCHAREST, **schedule) == due


def test_an_hour_the_clocks_skip_still_has_an_occurrence():
    # New York skips 02:00–03:00 on 8 March 2026; a daily 02:00 delivery still goes that day.
    due = next_after(_local(2026, 3, 7, 12, zone=NEW_YORK), frequency="daily", hour=2, zone=NEW_YORK)

    assert due.astimezone(NEW_YORK).date() == date(2026, 3, 8)
    assert next_after(due, frequency="daily", hour=2, zone=NEW_YORK).astimezone(NEW_YORK).day == 9


def test_after_an_outage_only_the_newest_occurrence_is_due():
    first = _local(2026, 3, 2, 8)
    now = _local(2026, 3, 5, 10)

    assert latest_due(first, now, frequency="daily", hour=8, zone=BUCHAREST) == _local(2026, 3, 5, 8)


@pytest.fixture
def due_delivery(alpha: TenantFixture, world: World) -> ReportDelivery:
    with alpha.active(), time_machine.travel(datetime(2026, 3, 2, 3, tzinfo=UTC), tick=False):
        report = create_report(by=world.admin, name="Deals", source="deals", definition={"measures": [{"fn": "count"}]},
                               sharing="everyone")  # fmt: skip
        subscription = create_subscription(report=report, by=world.admin, recipients=[world.admin], frequency="daily",
                                           hour=8, file_format="pdf")  # fmt: skip
    with alpha.active(), time_machine.travel(subscription.next_run_at, tick=False):
        sending.queue_due()
        return ReportDelivery.objects.get()


def test_the_tasks_send_nothing_outside_a_tenant_or_for_another_tenant(
    alpha: TenantFixture, beta: TenantFixture, world: World, due_delivery: ReportDelivery, smtp_server: MailServer,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    monkeypatch.setattr(send_report_delivery, "apply_async", lambda args, **options: send_report_delivery(*args))
    later = due_delivery.occurrence + timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        assert run_due_report_deliveries() == 0  # the public schema: no tenant, nothing done
        assert send_report_delivery(due_delivery.pk) is None
        with beta.active():
            assert run_due_report_deliveries() == 0
            assert send_report_delivery(due_delivery.pk) is None
    assert smtp_server.messages == []
    with alpha.active():
        assert ReportDelivery.objects.get().status == "queued"
        with time_machine.travel(later, tick=False):
            assert run_due_report_deliveries() == 1
    assert [str(message["To"]) for message in smtp_server.messages] == ["admin@example.test"]
    assert smtp_server.messages[0].get_content_type() == "multipart/mixed"
    pdf = next(smtp_server.messages[0].iter_attachments())
    assert (pdf.get_content_type(), pdf.get_filename()) == ("application/pdf", "deals.pdf")
