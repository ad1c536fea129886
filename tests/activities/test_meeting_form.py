"""The meeting form: attendees chosen among colleagues, contacts and any address (invited once
saved), the recurrence editor written as an RRULE and read back, a refused part writing nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.activities.services.attendees import Invitee, set_attendees
from modules.activities.services.invitations import set_invited
from modules.activities.services.recurrence import occurrences_of
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

pytestmark = pytest.mark.usefixtures("eager_tasks")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _start() -> datetime:
    """Ten o'clock (UTC, the users' zone here) a week ahead."""
    return (timezone.now() + timedelta(days=7)).astimezone(UTC).replace(hour=10, minute=0, second=0, microsecond=0)


def _form(start: datetime, **values) -> dict:
    data = {
        "kind": "meeting", "subject": "Weekly sync", "priority": "normal",
        "due_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "repeat": "", "repeat_interval": "1", "repeat_end": "never", "attendee_picker": "1",
    }  # fmt: skip
    data.update(values)
    return data


def test_a_new_meeting_invites_colleagues_contacts_and_addresses_and_repeats_weekly(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    start = _start()
    other_day = DAYS[(start.weekday() + 2) % 7]
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        contact = ContactFactory(first_name="Ana", last_name="Pop", email="ana@customer.example")
    form = _form(
        start,
        assignee=admin.pk,
        attendees=[f"user:{rep.pk}", f"contact:{contact.pk}", "Guest@Elsewhere.example", f"contact:{contact.pk}"],
        repeat="weekly",
        repeat_weekdays=[DAYS[start.weekday()], other_day],
        repeat_end="count",
        repeat_count="6",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client().post("/activities/new/", form)

    assert response.status_code == 302
    with alpha.active():
        meeting = Activity.objects.get(subject="Weekly sync")
        people = {row.email: row for row in meeting.attendees.all()}
    codes = [day for day in DAYS if day in (DAYS[start.weekday()], other_day)]
    assert meeting.rrule == f"FREQ=WEEKLY;BYDAY={','.join(codes)};COUNT=6"
    assert meeting.time_zone == "UTC"
    assert sorted(people) == sorted([admin.email, rep.email, "ana@customer.example", "guest@elsewhere.example"])
    assert people[admin.email].is_organizer
    assert (people[rep.email].user_id, people["ana@customer.example"].contact_id) == (rep.pk, contact.pk)
    [invitation] = mail.outbox
    assert sorted(invitation.to) == sorted([rep.email, "ana@customer.example", "guest@elsewhere.example"])
    assert len(occurrences_of(meeting, start=start, end=start + timedelta(days=60))) == 6


def test_the_editor_reads_a_stored_rule_back_and_keeps_one_it_cannot_show(alpha: TenantFixture):
    start = _start()
    with alpha.active():
        admin = alpha.user()
        monthly = create_activity(
            by=admin, kind="meeting", subject="Board", due_at=start, ends_at=start + timedelta(hours=1),
            rrule="FREQ=MONTHLY;INTERVAL=2;UNTIL=20991231T235959Z", time_zone="UTC",
        )  # fmt: skip
        odd = create_activity(
            by=admin, kind="meeting", subject="Odd", due_at=start, ends_at=start + timedelta(hours=1),
            rrule="FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1", time_zone="UTC",
        )  # fmt: skip
    client = alpha.client()

    shown = client.get(f"/activities/{monthly.pk}/edit/").context["form"]
    kept = client.get(f"/activities/{odd.pk}/edit/").context["form"]
    client.post(f"/activities/{odd.pk}/edit/", _form(start, subject="Odd", assignee=admin.pk, repeat="custom"))

    assert (shown["repeat"].value(), shown["repeat_interval"].value(), shown["repeat_end"].value()) == (
        "monthly",
        2,
        "until",
    )
    assert str(shown["repeat_until"].value()) == "2099-12-31"
    assert kept["repeat"].value() == "custom"
    with alpha.active():
        odd.refresh_from_db()
    assert odd.rrule == "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"


def test_a_monthly_rule_on_the_nth_weekday_and_an_end_date_in_the_users_zone(alpha: TenantFixture):
    start = _start()
    last = (start + timedelta(days=100)).date()
    form = _form(
        start, assignee=alpha.user().pk, repeat="monthly", repeat_monthly="weekday", repeat_end="until",
        repeat_until=last.isoformat(),
    )  # fmt: skip

    assert alpha.client().post("/activities/new/", form).status_code == 302

    with alpha.active():
        meeting = Activity.objects.get(subject="Weekly sync")
    nth = (start.day - 1) // 7 + 1
    assert meeting.rrule == (
        f"FREQ=MONTHLY;BYDAY={nth if nth < 5 else -1}{DAYS[start.weekday()]};UNTIL={last:%Y%m%d}T235959Z"
    )


def test_refused_parts_are_a_400_naming_the_field_and_write_nothing(alpha: TenantFixture, beta: TenantFixture):
    start = _start()
    with alpha.active():
        admin = alpha.user()
        unseen_by_rep = ContactFactory(owner=admin, email="secret@customer.example")
        nameless = ContactFactory(email="")
    client, rep_client = alpha.client(), alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    cases = {
        "attendees": client.post("/activities/new/", _form(start, assignee=admin.pk, attendees=["not an address"])),
        "no address": client.post(
            "/activities/new/", _form(start, assignee=admin.pk, attendees=[f"contact:{nameless.pk}"])
        ),
        "repeat_until": client.post(
            "/activities/new/",
            _form(start, assignee=admin.pk, repeat="daily", repeat_end="until", repeat_until="2001-01-01"),
        ),
        "repeat_weekdays": client.post(
            "/activities/new/",
            _form(start, assignee=admin.pk, repeat="weekly", repeat_weekdays=[DAYS[(start.weekday() + 1) % 7]]),
        ),
        "repeat_count": client.post(
            "/activities/new/", _form(start, assignee=admin.pk, repeat="daily", repeat_end="count", repeat_count="0")
        ),
        "repeat": client.post("/activities/new/", _form(start, kind="task", assignee=admin.pk, repeat="daily")),
        "invisible": rep_client.post(
            "/activities/new/",
            _form(start, assignee=alpha.user(REP_EMAIL).pk, attendees=[f"contact:{unseen_by_rep.pk}"]),
        ),
    }

    assert {name: response.status_code for name, response in cases.items()} == dict.fromkeys(cases, 400)
    named = {"no address": "attendees", "invisible": "attendees"}
    for name, response in cases.items():
        assert named.get(name, name) in response.context["form"].errors, name
    assert "not an address" in str(cases["attendees"].context["form"].errors["attendees"])
    assert schema_snapshot(alpha.tenant) == before
    assert mail.outbox == []


def test_editing_the_attendees_invites_the_new_and_tells_the_removed_and_stopping_the_series(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    start = _start()
    with alpha.active():
        admin = alpha.user()
        meeting = create_activity(
            by=admin, kind="meeting", subject="Weekly sync", due_at=start, ends_at=start + timedelta(hours=1),
            rrule="FREQ=WEEKLY", time_zone="UTC",
        )  # fmt: skip
        set_invited(meeting, [Invitee("stays@x.example"), Invitee("goes@x.example")], by=admin)
        meeting.attendees.filter(email="stays@x.example").update(attendance="accepted")
    mail.outbox.clear()
    client = alpha.client()
    page = client.get(f"/activities/{meeting.pk}/edit/")
    assert [chip.value for chip in page.context["form"].attendee_chips()] == ["stays@x.example", "goes@x.example"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/activities/{meeting.pk}/edit/",
            _form(start, assignee=admin.pk, attendees=["stays@x.example", "new@x.example"], repeat=""),
        )

    assert response.status_code == 302
    with alpha.active():
        meeting.refresh_from_db()
        people = {row.email: row.attendance for row in meeting.attendees.all()}
    assert (meeting.rrule, meeting.exdates) == ("", [])
    assert people == {admin.email: "accepted", "stays@x.example": "accepted", "new@x.example": "needs_action"}
    sent = {(message.to[0], "Cancelled" in message.subject) for message in mail.outbox}
    # The one taken off is told so; the one staying hears of the change; the new one is invited once.
    assert sorted(sent) == [("goes@x.example", True), ("new@x.example", False), ("stays@x.example", False)]
    assert len(mail.outbox) == 3


def test_a_form_posted_without_the_picker_and_editor_leaves_attendees_and_rule_alone(alpha: TenantFixture):
    start = _start()
    with alpha.active():
        admin = alpha.user()
        meeting = create_activity(
            by=admin, kind="meeting", subject="Weekly sync", due_at=start, ends_at=start + timedelta(hours=1),
            rrule="FREQ=WEEKLY", time_zone="UTC",
        )  # fmt: skip
        set_attendees(meeting, [Invitee("stays@x.example")], by=admin)
    form = {
        name: value for name, value in _form(start, assignee=admin.pk, subject="Renamed").items()
        if not name.startswith(("repeat", "attendee"))
    }  # fmt: skip

    assert alpha.client().post(f"/activities/{meeting.pk}/edit/", form).status_code == 302

    with alpha.active():
        meeting.refresh_from_db()
        assert list(meeting.attendees.values_list("email", flat=True)) == ["stays@x.example"]
    assert (meeting.subject, meeting.rrule) == ("Renamed", "FREQ=WEEKLY")
