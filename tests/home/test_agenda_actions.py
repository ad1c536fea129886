"""Completing and rescheduling an activity from the home page, in place."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from tests.activities.conftest import VIEWER_EMAIL
from tests.factories import ActivityFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_done_completes_the_activity_through_the_service_and_swaps_the_row(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(subject="Call Ana", assignee=alpha.user(), due_at=timezone.now())

    response = alpha.client().post(f"/home/activities/{activity.pk}/done/", **HTMX)

    assert response.status_code == 200
    assert f'id="agenda-{activity.pk}"' in response.content.decode()
    assert "Done" in response.content.decode()
    with alpha.active():
        activity.refresh_from_db()
        assert activity.status == ActivityStatus.DONE
        assert activity.completed_by == alpha.user()
        assert TimelineEntry.objects.filter(activity=activity, kind=TimelineKind.ACTIVITY).exists()


def test_completing_a_closed_activity_shows_the_services_error_in_the_row(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), status=ActivityStatus.CANCELLED, due_at=timezone.now())

    response = alpha.client().post(f"/home/activities/{activity.pk}/done/", **HTMX)

    assert response.status_code == 422
    assert "Only an open activity can be completed." in response.content.decode()
    assert 'data-testid="agenda-error"' in response.content.decode()
    with alpha.active():
        activity.refresh_from_db()
        assert activity.status == ActivityStatus.CANCELLED


def test_tomorrow_moves_the_activity_keeping_its_time_of_day(alpha: TenantFixture):
    due = timezone.now().replace(microsecond=0) - timedelta(days=2)
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), due_at=due, ends_at=due + timedelta(minutes=45))
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = alpha.client().post(f"/home/activities/{activity.pk}/reschedule/", {"due": tomorrow.isoformat()}, **HTMX)

    assert response.status_code == 200
    assert "Rescheduled." in response.content.decode()
    with alpha.active():
        activity.refresh_from_db()
    assert activity.due_at.date() == tomorrow  # the test runs in UTC, the users' default zone
    assert activity.due_at.time() == due.time()
    assert activity.ends_at - activity.due_at == timedelta(minutes=45)  # the service keeps the length


def test_a_picked_day_reschedules_and_a_bad_one_is_refused_naming_the_field(alpha: TenantFixture):
    due = timezone.now().replace(microsecond=0)
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), due_at=due)
    client = alpha.client()
    url = f"/home/activities/{activity.pk}/reschedule/"

    not_a_day = client.post(url, {"due_on": "someday"}, **HTMX)
    far_future = client.post(url, {"due_on": "9999-01-01"}, **HTMX)
    nothing = client.post(url, {}, **HTMX)
    next_week = client.post(url, {"due_on": (due + timedelta(days=7)).date().isoformat()}, **HTMX)

    assert not_a_day.status_code == far_future.status_code == nothing.status_code == 422
    assert "Day:" in not_a_day.content.decode()
    assert "Pick a day." in nothing.content.decode()
    assert 'data-testid="agenda-error"' in far_future.content.decode()
    assert next_week.status_code == 200
    with alpha.active():
        activity.refresh_from_db()
    assert activity.due_at == due + timedelta(days=7)


def test_without_htmx_the_actions_return_to_the_home_page(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), due_at=timezone.now())

    response = alpha.client().post(f"/home/activities/{activity.pk}/done/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_read_only_user_and_a_rep_outside_visibility_are_refused(alpha: TenantFixture, viewer):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), due_at=timezone.now())

    read_only = alpha.client(VIEWER_EMAIL).post(f"/home/activities/{activity.pk}/done/", **HTMX)
    other_rep = alpha.client(REP_EMAIL).post(
        f"/home/activities/{activity.pk}/reschedule/", {"due_on": "2030-01-01"}, **HTMX
    )

    assert read_only.status_code == 403
    assert other_rep.status_code == 404
    with alpha.active():
        unchanged = Activity.objects.get(pk=activity.pk)
    assert unchanged.status == ActivityStatus.OPEN
    assert unchanged.due_at == activity.due_at


def test_another_tenant_cannot_complete_or_reschedule(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user(), due_at=timezone.now())

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("post", f"/home/activities/{activity.pk}/done/", {}),
            ("post", f"/home/activities/{activity.pk}/reschedule/", {"due_on": "2030-01-01"}),
        ],
    )
