"""Reports delivered by e-mail through a real SMTP server, with the clock frozen: each due occurrence
is sent at its hour in the tenant's zone and not before, each recipient gets their own figures in
their language, a refusing server is retried until it accepts, and nothing is sent twice."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from customization.events.models import DomainEvent
from modules.activities.models import Notification
from modules.analytics.reports.delivery import sending
from modules.analytics.reports.delivery.models import ReportDelivery
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.delivery.tasks import run_due_report_deliveries, send_report_delivery
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.mail_server import MailServer
from tests.tenancy import TenantFixture, revoke

# A Monday. Bucharest is two hours ahead of UTC in March: 08:00 there is 06:00 UTC.
MONDAY = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
EIGHT_IN_BUCHAREST = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def subscribed(alpha: TenantFixture, world: World, monkeypatch: pytest.MonkeyPatch):
    """A count of deals sent every Monday at 08:00 (Bucharest) to the admin (English, sees five
    deals) and Mara (Polish, sees four), as CSV. Queued sends run at once, in the test."""
    monkeypatch.setattr(send_report_delivery, "apply_async", lambda args, **options: send_report_delivery(*args))
    with alpha.active():
        world.mara.locale = "pl"
        world.mara.save(update_fields=["locale"])
        report = create_report(by=world.admin, name="Deals", source="deals", definition={"measures": [{"fn": "count"}]},
                               sharing="everyone")  # fmt: skip
        with time_machine.travel(MONDAY, tick=False):
            subscription = create_subscription(
                report=report, by=world.admin, recipients=[world.admin, world.mara], frequency="weekly", weekday=0,
                hour=8, file_format="csv",
            )  # fmt: skip
    return subscription


def _rows(message) -> list[list[str]]:
    attachment = next(part for part in message.iter_attachments())
    text = attachment.get_content()
    text = text.decode() if isinstance(text, bytes) else text
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _run(alpha: TenantFixture, moment: datetime) -> int:
    with alpha.active(), time_machine.travel(moment, tick=False):
        return run_due_report_deliveries()


def test_a_delivery_is_sent_at_its_hour_in_the_tenants_zone_with_each_recipients_figures(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    assert subscribed.next_run_at == EIGHT_IN_BUCHAREST

    assert _run(alpha, EIGHT_IN_BUCHAREST - timedelta(seconds=1)) == 0
    assert smtp_server.messages == []

    assert _run(alpha, EIGHT_IN_BUCHAREST) == 2
    (admin_copy,) = smtp_server.to("admin@example.test")
    (mara_copy,) = smtp_server.to("mara@example.test")
    assert admin_copy["Subject"] == "Report: Deals"
    assert _rows(admin_copy) == [["Count"], ["5"]]
    assert _rows(mara_copy) == [["Liczba"], ["4"]]  # her deals, in her language
    assert "08:00" in admin_copy.get_body().get_content()
    assert admin_copy["Message-ID"] != mara_copy["Message-ID"]
    with alpha.active():
        deliveries = list(ReportDelivery.objects.order_by("recipient__email"))
        subscribed.refresh_from_db()
    assert [(d.status, d.attempts, d.occurrence) for d in deliveries] == [("sent", 1, EIGHT_IN_BUCHAREST)] * 2
    assert subscribed.next_run_at == EIGHT_IN_BUCHAREST + timedelta(days=7)

    # Beat again, later the same day: nothing new is due, nothing is sent again.
    assert _run(alpha, EIGHT_IN_BUCHAREST + timedelta(hours=3)) == 0
    assert len(smtp_server.messages) == 2


def test_a_refusing_server_is_retried_with_backoff_until_it_accepts(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    smtp_server.refuse("451 4.3.0 Try again later")
    _run(alpha, EIGHT_IN_BUCHAREST)
    with alpha.active():
        first = ReportDelivery.objects.get(recipient=world.admin)
    assert (first.status, first.attempts) == ("queued", 1)
    assert "451" in first.last_error
    assert first.next_attempt_at == EIGHT_IN_BUCHAREST + sending.RETRY_DELAYS[0]
    assert smtp_server.messages == []

    # Before the wait is over nothing is tried; then the server is down altogether.
    assert _run(alpha, EIGHT_IN_BUCHAREST + timedelta(seconds=30)) == 0
    smtp_server.accept()
    smtp_server.stop()
    _run(alpha, first.next_attempt_at)
    with alpha.active():
        second = ReportDelivery.objects.get(recipient=world.admin)
    assert (second.status, second.attempts) == ("queued", 2)
    assert "Connection" in second.last_error or "refused" in second.last_error.lower()

    smtp_server.start()
    _run(alpha, second.next_attempt_at)
    with alpha.active():
        sent = ReportDelivery.objects.get(recipient=world.admin)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 3, "")
    assert len(smtp_server.to("admin@example.test")) == 1
    assert smtp_server.refused == 2  # the admin's and Mara's first attempts


def test_an_occurrence_is_sent_once_even_when_queued_twice_or_a_worker_dies_sending(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    with alpha.active(), time_machine.travel(EIGHT_IN_BUCHAREST, tick=False):
        ids = sending.queue_due()
        # A second beat that read the subscription before the first moved it on.
        type(subscribed).objects.filter(pk=subscribed.pk).update(next_run_at=EIGHT_IN_BUCHAREST)
        assert sorted(sending.queue_due()) == sorted(ids)
        assert ReportDelivery.objects.count() == 2
        # A worker claims the admin's copy and dies: until its lease runs out nobody sends it.
        admin_copy = ReportDelivery.objects.get(recipient=world.admin)
        assert sending._claim(admin_copy.pk, EIGHT_IN_BUCHAREST) is not None
        assert sending.attempt_delivery(admin_copy.pk) is None
    assert smtp_server.messages == []

    _run(alpha, EIGHT_IN_BUCHAREST + sending.LEASE + timedelta(seconds=1))
    _run(alpha, EIGHT_IN_BUCHAREST + sending.LEASE + timedelta(minutes=1))
    assert sorted(str(message["To"]) for message in smtp_server.messages) == ["admin@example.test", "mara@example.test"]


def test_the_last_failure_stays_visible_and_the_owner_is_told(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    smtp_server.stop()
    moment = EIGHT_IN_BUCHAREST
    for _attempt in range(sending.MAX_ATTEMPTS):
        _run(alpha, moment)
        with alpha.active():
            delivery = ReportDelivery.objects.get(recipient=world.mara)
        moment = delivery.next_attempt_at or moment
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", sending.MAX_ATTEMPTS, None)
    assert delivery.last_error
    with alpha.active():
        notices = list(Notification.objects.filter(recipient=world.admin, kind="delivery_failed"))
        assert DomainEvent.objects.filter(type="report_delivery.failed", record_id=delivery.pk).count() == 1
    assert "Mara" in " ".join(notice.title for notice in notices)
    # The notice opens the report where its deliveries and the error are shown.
    with alpha.active():
        assert {notice.target_url for notice in notices} == {f"/analytics/reports/{subscribed.report_id}/#deliveries"}

    # A later beat with the server back does not revive a failed copy.
    smtp_server.start()
    _run(alpha, moment + timedelta(hours=1))
    assert smtp_server.messages == []

    page = alpha.client().get(f"/analytics/reports/{subscribed.report_id}/")
    assert page.status_code == 200
    panel = page.content.decode()
    assert 'data-testid="deliveries"' in panel
    assert "Failed" in panel
    assert delivery.last_error[:20] in panel


def test_a_recipient_who_can_no_longer_open_the_report_is_not_sent_it(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    revoke(alpha, "manager", "analytics.view")

    _run(alpha, EIGHT_IN_BUCHAREST)

    with alpha.active():
        refused = ReportDelivery.objects.get(recipient=world.mara)
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "no longer open" in refused.last_error
    assert [str(message["To"]) for message in smtp_server.messages] == ["admin@example.test"]


def test_a_report_that_no_longer_runs_fails_at_once_and_shows_why(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer
):
    with alpha.active():
        type(subscribed.report).objects.filter(pk=subscribed.report_id).update(
            definition={"group_by": [{"field": "custom.gone"}], "measures": [{"fn": "count"}]}
        )

    _run(alpha, EIGHT_IN_BUCHAREST)

    with alpha.active():
        failed = list(ReportDelivery.objects.values_list("status", "attempts", "last_error"))
    assert [(status, attempts) for status, attempts, _error in failed] == [("failed", 1)] * 2
    assert all(error.startswith("The report no longer runs: group_by.0.field") for _s, _a, error in failed)
    assert smtp_server.messages == []
    page = alpha.client().get(f"/analytics/reports/{subscribed.report_id}/")
    assert page.status_code == 400  # the report cannot run: the page says so, and shows the failed deliveries
    assert "The report no longer runs" in page.content.decode()


def test_a_csv_too_large_for_e_mail_is_left_out_and_the_message_says_so(
    alpha: TenantFixture, world: World, subscribed, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("modules.analytics.reports.delivery.message.MAX_ATTACHMENT_BYTES", 5)

    _run(alpha, EIGHT_IN_BUCHAREST)

    (admin_copy,) = smtp_server.to("admin@example.test")
    assert list(admin_copy.iter_attachments()) == []
    assert "too large to send by e-mail" in admin_copy.get_body().get_content()
