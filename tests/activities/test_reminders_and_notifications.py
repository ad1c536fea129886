"""Reminders become notifications once; the inbox, marking read, the bell."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.activities.models import Activity, Notification
from modules.activities.services.activities import update_activity
from modules.activities.services.reminders import send_due_reminders
from modules.activities.tasks import dispatch_reminders, send_reminders
from tenants.models import Tenant
from tests.factories import ActivityFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail


@pytest.fixture
def alpha(alpha: TenantFixture) -> TenantFixture:
    """Alpha with no notifications: these tests read whole inboxes and the bell's count, and a file
    that committed before them in the same process may have left some (removed in this test's
    transaction, so they come back afterwards)."""
    with alpha.active():
        Notification.objects.all().delete()
    return alpha


@pytest.fixture
def beta(beta: TenantFixture) -> TenantFixture:
    """Beta with no notifications (see ``alpha``)."""
    with beta.active():
        Notification.objects.all().delete()
    return beta


def test_a_due_reminder_notifies_the_assignee_once_even_when_run_twice(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    now = timezone.now()
    with alpha.active():
        due = ActivityFactory(subject="Call Ana", assignee=rep, remind_at=now - timedelta(minutes=1))
        ActivityFactory(subject="Later", assignee=rep, remind_at=now + timedelta(hours=1))
        ActivityFactory(subject="Done", assignee=rep, remind_at=now - timedelta(minutes=1), status="done")
        ActivityFactory(subject="Nobody's", assignee=None, remind_at=now - timedelta(minutes=1))

        first = send_due_reminders()
        Activity.objects.filter(pk=due.pk).update(reminded_at=None)  # a crash between the two writes
        second = send_due_reminders()
        third = send_due_reminders()

        notes = list(Notification.objects.values_list("recipient", "kind", "activity", "title"))
        due.refresh_from_db()
    assert (first, second, third) == (1, 1, 0)
    assert notes == [(rep.pk, "reminder", due.pk, "Reminder: Call Ana")]
    assert due.reminded_at is not None


def test_rescheduling_re_arms_the_reminder(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    now = timezone.now()
    with alpha.active():
        call = ActivityFactory(subject="Call", assignee=rep, due_at=now, remind_at=now - timedelta(minutes=5))
        send_due_reminders()
        update_activity(call, by=rep, due_at=now + timedelta(minutes=1), remind_at=now - timedelta(minutes=1))
        send_due_reminders()

        assert Notification.objects.filter(activity=call).count() == 2


def test_the_task_runs_in_the_tenant_it_was_queued_for(alpha: TenantFixture, beta: TenantFixture):
    now = timezone.now()
    with alpha.active():
        ActivityFactory(subject="Alpha's", assignee=alpha.user(), remind_at=now - timedelta(minutes=1))

    with beta.active():
        in_beta = send_reminders.apply().get()
        beta_notes = Notification.objects.count()
    with alpha.active():
        in_alpha = send_reminders.apply().get()
        alpha_notes = Notification.objects.count()

    assert (in_beta, beta_notes, in_alpha, alpha_notes) == (0, 0, 1, 1)


def test_the_beat_task_queues_one_run_per_served_tenant(alpha: TenantFixture, monkeypatch):
    queued: list[str] = []
    monkeypatch.setattr(send_reminders, "apply_async", lambda **_options: queued.append(connection.schema_name))

    count = dispatch_reminders.apply().get()

    served = set(
        Tenant.objects.filter(provisioning_state="active", is_template=False)
        .exclude(schema_name="public")
        .exclude(status="deleted")
        .values_list("schema_name", flat=True)
    )
    assert count == len(queued) == len(served)
    assert set(queued) == served
    assert {"alpha", "beta"} <= set(queued)


def test_the_beat_schedule_runs_the_dispatcher_every_minute():
    from crm_platform.celery import app

    entry = app.conf.beat_schedule["activities-send-reminders"]

    assert (entry["task"], entry["schedule"]) == ("modules.activities.tasks.dispatch_reminders", 60.0)
    assert entry["task"] in app.tasks


@pytest.fixture
def committed_alpha(django_db_setup, django_db_blocker) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for a worker to see; this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            Activity.objects.filter(subject="Worker reminder").delete()  # cascades to its notification
        connection.set_schema_to_public()


@pytest.mark.worker
def test_reminders_run_in_a_real_worker(committed_alpha: TenantFixture, celery_worker):
    from tests.processes import wait_until

    with committed_alpha.active():
        activity = ActivityFactory(
            subject="Worker reminder", assignee=committed_alpha.user(), remind_at=timezone.now() - timedelta(minutes=1)
        )
        result = send_reminders.apply_async()

    def notified() -> bool:
        with committed_alpha.active():
            return Notification.objects.filter(activity_id=activity.pk).exists()

    worker_log = celery_worker.parent / "worker.log"
    wait_until(lambda: f"send_reminders[{result.id}] succeeded" in worker_log.read_text(), timeout=30, what="the task")
    assert notified()
    with committed_alpha.active():
        activity.refresh_from_db()
        assert activity.reminded_at is not None
        assert Notification.objects.get(activity_id=activity.pk).title == "Reminder: Worker reminder"


def _notify(alpha: TenantFixture, email: str, count: int, *, read: bool = False) -> list[Notification]:
    with alpha.active():
        user = alpha.user(email)
        return [
            Notification.objects.create(
                recipient=user,
                kind="reminder",
                title=f"Note {index}",
                dedupe_key=f"test:{email}:{index}:{read}",
                read_at=timezone.now() if read else None,
            )
            for index in range(count)
        ]


def test_the_inbox_lists_unread_first_and_only_the_users_own(alpha: TenantFixture):
    read = _notify(alpha, "admin@example.test", 1, read=True)
    unread = _notify(alpha, "admin@example.test", 2)
    _notify(alpha, REP_EMAIL, 1)

    response = alpha.client().get("/notifications/")

    assert response.status_code == 200
    assert [n.pk for n in response.context["notifications"]] == [unread[1].pk, unread[0].pk, read[0].pk]
    assert response.context["unread"] == 2


def test_marking_read_one_and_all(alpha: TenantFixture):
    first, second, third = _notify(alpha, "admin@example.test", 3)
    client = alpha.client()

    one = client.post(f"/notifications/{first.pk}/read/", headers={"HX-Request": "true"})
    with alpha.active():
        unread_after_one = set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))
    everything = client.post("/notifications/read-all/")

    assert one.status_code == 200
    assert 'data-unread="false"' in one.content.decode()
    assert unread_after_one == {second.pk, third.pk}
    assert everything.status_code == 302
    with alpha.active():
        assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_user_cannot_mark_someone_elses_notification(alpha: TenantFixture):
    (ritas,) = _notify(alpha, REP_EMAIL, 1)

    response = alpha.client().post(f"/notifications/{ritas.pk}/read/")

    assert response.status_code == 404
    with alpha.active():
        assert Notification.objects.get(pk=ritas.pk).read_at is None


def test_opening_a_notification_goes_to_its_activity(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user())
        note = Notification.objects.create(
            recipient=alpha.user(), kind="reminder", activity=activity, title="Go", dedupe_key="test:open"
        )

    response = alpha.client().post(f"/notifications/{note.pk}/read/", {"open": "1"})

    assert (response.status_code, response["Location"]) == (302, f"/activities/{activity.pk}/")


def test_the_bell_shows_the_unread_count_in_fixed_queries(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    _notify(alpha, "admin@example.test", 3)
    with django_assert_max_num_queries(6):
        few = client.get("/notifications/bell/")
    with alpha.active():
        user = alpha.user()
        Notification.objects.bulk_create(
            Notification(recipient=user, kind="reminder", title="Bulk", dedupe_key=f"bulk:{index}")
            for index in range(40)
        )
    with django_assert_max_num_queries(6):
        many = client.get("/notifications/bell/")

    assert re.search(r'data-testid="unread-count">3<', few.content.decode())
    assert re.search(r'data-testid="unread-count">43<', many.content.decode())


def test_every_app_page_has_the_bell(alpha: TenantFixture):
    response = alpha.client().get("/activities/")

    assert 'hx-get="/notifications/bell/"' in response.content.decode()


def test_another_tenant_cannot_touch_a_notification_by_id(alpha: TenantFixture, beta: TenantFixture):
    (note,) = _notify(alpha, "admin@example.test", 1)
    with beta.active():
        Notification.objects.filter(pk=note.pk).delete()

    assert_cross_tenant_requests_fail(alpha, beta, [("post", f"/notifications/{note.pk}/read/", {"open": "1"})])
