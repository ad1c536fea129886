"""A meeting's page: attendees (contacts linked only when visible), the series and its next
occurrences, colleagues' free/busy that day; a constant number of queries."""

from datetime import timedelta

from django.utils import timezone

from modules.activities.models import ActivityAttendee
from modules.activities.services.free_busy import busy_times
from tests.factories import ActivityFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _noon_in_a_week():
    return timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=7)


def _busy(user, kind: str, start, end, **values):
    return ActivityFactory(kind=kind, assignee=user, due_at=start, ends_at=end, **values)


def _meeting_with(alpha: TenantFixture, attendees: int, *, hours: int):
    start = _noon_in_a_week() + timedelta(hours=hours)
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        meeting = ActivityFactory(
            kind="meeting", assignee=admin, due_at=start, ends_at=start + timedelta(hours=1),
            rrule="FREQ=WEEKLY;COUNT=10", time_zone="UTC",
        )  # fmt: skip
        ActivityAttendee.objects.create(activity=meeting, email=admin.email, user=admin, is_organizer=True)
        ActivityAttendee.objects.create(activity=meeting, email=rep.email, user=rep)
        for number in range(attendees):
            contact = ContactFactory()
            ActivityAttendee.objects.create(activity=meeting, email=f"guest{number}@x.test", contact=contact)
        _busy(rep, "call", start + timedelta(minutes=30), start + timedelta(hours=2))
        _busy(rep, "meeting", start - timedelta(hours=3), start - timedelta(hours=2))
    return meeting


def test_the_page_shows_attendees_series_and_busy_colleagues_in_constant_queries(
    alpha: TenantFixture, django_assert_max_num_queries
):
    small, large = _meeting_with(alpha, 2, hours=0), _meeting_with(alpha, 20, hours=3)  # the same day
    client = alpha.client()
    client.get(f"/activities/{small.pk}/")  # the first visit records it among the recent ones
    client.get(f"/activities/{large.pk}/")

    with django_assert_max_num_queries(60) as few:
        client.get(f"/activities/{small.pk}/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/activities/{large.pk}/")

    page = response.content.decode()
    assert page.count("data-attendee=") == 22
    assert 'data-testid="series-rule"' in page
    assert "FREQ=WEEKLY;COUNT=10" in page
    upcoming = response.context["upcoming"]
    assert [occurrence.start - large.due_at for occurrence in upcoming] == [timedelta(days=7 * n) for n in range(5)]
    availability = {row["user"].email: row for row in response.context["availability"]}
    assert availability[REP_EMAIL]["clash"] is True
    assert len(availability[REP_EMAIL]["busy"]) == 3
    # the other meeting of the day, not the one on the page
    assert availability[alpha.user().email]["busy"] == [(small.due_at, small.ends_at)]


def test_a_rep_sees_attendees_but_no_link_to_a_contact_they_may_not_see(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    start = _noon_in_a_week()
    with alpha.active():
        hidden = ContactFactory(owner=alpha.user())
        meeting = ActivityFactory(kind="meeting", assignee=rep, due_at=start, ends_at=start + timedelta(hours=1))
        ActivityAttendee.objects.create(activity=meeting, email="hidden@x.test", contact=hidden)

    response = alpha.client(email=REP_EMAIL).get(f"/activities/{meeting.pk}/")

    page = response.content.decode()
    assert 'data-attendee="hidden@x.test"' in page
    assert f"/contacts/{hidden.pk}/" not in page


def test_busy_times_expand_series_merge_overlaps_and_skip_cancelled(alpha: TenantFixture):
    start = _noon_in_a_week()
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        week_before = start - timedelta(days=7)
        _busy(rep, "meeting", week_before, week_before + timedelta(hours=1), rrule="FREQ=WEEKLY", time_zone="UTC")
        _busy(rep, "call", start + timedelta(minutes=30), start + timedelta(hours=2))
        _busy(rep, "meeting", start + timedelta(hours=5), start + timedelta(hours=6), status="cancelled")
        busy = busy_times([rep.pk], start=start - timedelta(hours=12), end=start + timedelta(hours=12))

    assert busy == {rep.pk: [(start, start + timedelta(hours=2))]}
