"""Adding and removing a meeting's attendees by hand: the added person gets an invitation (iTIP
REQUEST), the removed one a cancellation; the meeting's assignee becomes its organiser."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from identity.models import User
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services import itip
from modules.activities.services.attendees import (
    Invitee,
    address_of,
    attendee_lines,
    match_invitees,
    record_attendee_change,
)


def add_attendee(activity: Activity, *, email: str, name: str = "", by: User) -> ActivityAttendee:
    """Invite ``email`` to the meeting; ValidationError names the field that stops it."""
    if activity.kind != ActivityKind.MEETING:
        raise ValidationError({"email": [_("Only meetings have attendees.")]})
    if problem := text_problem(email) or text_problem(name):
        raise ValidationError({"email" if text_problem(email) else "name": [problem]})
    address = address_of(email)
    if address is None:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]})
    if len(name) > 255:
        raise ValidationError({"name": [_("Enter at most 255 characters.")]})
    if activity.attendees.filter(email__iexact=address).exists():
        raise ValidationError({"email": [_("This person is already invited.")]})
    invitee = Invitee(address, name.strip())
    match_invitees([invitee], by=by)
    with transaction.atomic():
        before = attendee_lines(activity)
        itip.ensure_organiser(activity)
        row = ActivityAttendee.objects.create(
            activity=activity, email=address, name=invitee.name, contact=invitee.contact, user=invitee.user
        )
        itip.invite(activity, to=[row])
        record_attendee_change(activity, old=before, new=attendee_lines(activity), by=by)
    return row


def remove_attendee(attendee: ActivityAttendee, *, by: User) -> None:
    """Take an attendee off the meeting; they are told it is cancelled for them."""
    if attendee.is_organizer:
        raise ValidationError({"attendee": [_("The organiser cannot be removed.")]})
    activity = attendee.activity
    with transaction.atomic():
        before = attendee_lines(activity)
        itip.cancel(activity, to=[attendee])
        attendee.delete()
        record_attendee_change(activity, old=before, new=attendee_lines(activity), by=by)


def set_invited(activity: Activity, invitees: list[Invitee], *, by: User, add: bool = True) -> None:
    """Make the meeting's invited people exactly ``invitees`` (the meeting form's list): the new ones
    get an invitation, the ones taken off a cancellation, the others keep their answers. The
    organiser (the assignee) stays and is never listed among the invitees. ``add=False`` only takes
    off the ones no longer listed (before a change that everyone still invited is told of)."""
    if activity.kind != ActivityKind.MEETING:
        return
    organiser = itip.organiser_of(activity)
    own = {organiser.email.lower()} if organiser is not None else set()
    if activity.assignee is not None:
        own.add(activity.assignee.email.lower())
    wanted = {invitee.email: invitee for invitee in invitees if invitee.email not in own}
    with transaction.atomic():
        before = attendee_lines(activity)
        current = {row.email.lower(): row for row in activity.attendees.all() if not row.is_organizer}
        removed = [row for email, row in current.items() if email not in wanted]
        if removed:
            itip.cancel(activity, to=removed)  # built now, while they are still attendees
            ActivityAttendee.objects.filter(pk__in=[row.pk for row in removed]).delete()
        added = [
            ActivityAttendee(
                activity=activity, email=email, name=invitee.name, contact=invitee.contact, user=invitee.user
            )
            for email, invitee in wanted.items()
            if email not in current and add
        ]
        if added:
            itip.ensure_organiser(activity)
            ActivityAttendee.objects.bulk_create(added)
            itip.invite(activity, to=added)
        record_attendee_change(activity, old=before, new=attendee_lines(activity), by=by)
