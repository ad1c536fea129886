"""Activities: follow-up chains, rescheduling and their bad input."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import (
    FollowUp,
    complete_activity,
    create_activity,
    follow_up_chain,
    update_activity,
)
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture


def test_completing_an_activity_creates_its_follow_up_on_the_same_records(alpha: TenantFixture) -> None:
    with alpha.active():
        rep = alpha.user("rep@example.test")
        company = CompanyFactory()
        contact = ContactFactory(company=company)
        call = create_activity(by=rep, kind="call", subject="Discovery call", contact=contact)
        due = timezone.now() + timedelta(days=3)

        done, follow_up = complete_activity(
            call, by=rep, outcome="successful", follow_up=FollowUp(kind="meeting", subject="Demo", due_at=due)
        )

        assert (done.status, done.outcome, done.completed_by) == (ActivityStatus.DONE, "successful", rep)
        assert follow_up is not None
        assert (follow_up.origin, follow_up.kind, follow_up.due_at, follow_up.assignee) == (done, "meeting", due, rep)
        assert (follow_up.contact, follow_up.company) == (contact, company)
        assert list(done.follow_ups.all()) == [follow_up]
        events = TimelineEntry.objects.filter(company=company, kind=TimelineKind.ACTIVITY).values_list(
            "activity__subject", "data__event"
        )
        assert sorted(events) == [("Demo", "created"), ("Discovery call", "completed")]


def test_a_chain_reads_from_the_first_origin_to_the_last_follow_up(alpha: TenantFixture) -> None:
    with alpha.active():
        first = create_activity(by=None, kind="call", subject="First")
        _, second = complete_activity(first, by=None, follow_up=FollowUp(kind="email", subject="Second"))
        assert second is not None
        _, third = complete_activity(second, by=None, follow_up=FollowUp(kind="meeting", subject="Third"))

        assert [a.subject for a in follow_up_chain(second)] == ["First", "Second", "Third"]
        assert third is not None
        assert [a.subject for a in follow_up_chain(third)] == ["First", "Second", "Third"]


def test_a_done_activity_cannot_be_completed_again_and_no_follow_up_is_made(alpha: TenantFixture) -> None:
    with alpha.active():
        call = create_activity(by=None, kind="call", subject="Once")
        complete_activity(call, by=None)
        before = Activity.objects.count()

        with pytest.raises(ValidationError) as error:
            complete_activity(call, by=None, follow_up=FollowUp(kind="task", subject="Never"))

        assert "status" in error.value.message_dict
        assert Activity.objects.count() == before


def test_a_bad_follow_up_rolls_back_the_completion(alpha: TenantFixture) -> None:
    with alpha.active():
        call = create_activity(by=None, kind="call", subject="Atomic")

        with pytest.raises(ValidationError) as error:
            complete_activity(call, by=None, follow_up=FollowUp(kind="telepathy", subject="Next"))

        assert "kind" in error.value.message_dict
        call.refresh_from_db()
        assert call.status == ActivityStatus.OPEN
        assert not call.follow_ups.exists()


def test_an_end_before_the_start_is_refused_by_field(alpha: TenantFixture) -> None:
    with alpha.active():
        start = timezone.now()
        with pytest.raises(ValidationError) as error:
            create_activity(
                by=None, kind="meeting", subject="Backwards", due_at=start, ends_at=start - timedelta(hours=1)
            )

        assert "ends_at" in error.value.message_dict
        assert not Activity.objects.filter(subject="Backwards").exists()


def test_rescheduling_a_meeting_keeps_its_length_and_rearms_the_reminder(alpha: TenantFixture) -> None:
    with alpha.active():
        start = timezone.now().replace(microsecond=0) + timedelta(days=1)
        meeting = create_activity(
            by=None, kind="meeting", subject="Review", due_at=start, ends_at=start + timedelta(minutes=90)
        )
        Activity.objects.filter(pk=meeting.pk).update(reminded_at=timezone.now())
        meeting.refresh_from_db()

        update_activity(meeting, by=None, due_at=start + timedelta(days=2))

        meeting.refresh_from_db()
        assert meeting.due_at == start + timedelta(days=2)
        assert meeting.ends_at == start + timedelta(days=2, minutes=90)
        assert meeting.reminded_at is None


def test_a_note_is_logged_as_done(alpha: TenantFixture) -> None:
    with alpha.active():
        note = create_activity(by=None, kind="note", subject="Prefers e-mail")

        assert note.status == ActivityStatus.DONE
        assert note.completed_at is not None
