"""A meeting's attendees: read from iCalendar ATTENDEE/ORGANIZER, matched to contacts and users by
address, and written as ``ActivityAttendee`` rows (the service is their only writer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from identity.models import User
from modules.activities.choices import Attendance, AttendeeRole
from modules.activities.models import Activity, ActivityAttendee
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.contacts.services.records import record_event
from modules.contacts.services.timeline import record_entry

ROLES = {
    "CHAIR": AttendeeRole.CHAIR,
    "REQ-PARTICIPANT": AttendeeRole.REQUIRED,
    "OPT-PARTICIPANT": AttendeeRole.OPTIONAL,
    "NON-PARTICIPANT": AttendeeRole.NON_PARTICIPANT,
}
PARTSTATS = {
    "NEEDS-ACTION": Attendance.NEEDS_ACTION,
    "ACCEPTED": Attendance.ACCEPTED,
    "TENTATIVE": Attendance.TENTATIVE,
    "DECLINED": Attendance.DECLINED,
    "DELEGATED": Attendance.DELEGATED,
}


@dataclass
class Invitee:
    """An attendee as read from a file or a form, before it is saved."""

    email: str
    name: str = ""
    role: str = AttendeeRole.REQUIRED
    attendance: str = Attendance.NEEDS_ACTION
    is_organizer: bool = False
    contact: Contact | None = None
    user: User | None = None


def address_of(value: Any) -> str | None:
    """The e-mail address of a CAL-ADDRESS (``mailto:…``, any case), or None when it is not one."""
    text = without_control_characters(str(value)).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        return None
    return text if len(text) <= 254 else None


def _param(prop: Any, name: str) -> str:
    params = getattr(prop, "params", {}) or {}
    return without_control_characters(str(params.get(name, ""))).strip()


def invitees_from_ical(event: Any) -> list[Invitee]:
    """ORGANIZER and ATTENDEE properties of a VEVENT (or an iTIP VEVENT), one per address; the
    organiser is flagged on their attendee row."""
    found: dict[str, Invitee] = {}
    organizer = event.get("organizer")
    if organizer is not None and (email := address_of(organizer)):
        found[email] = Invitee(email, _param(organizer, "CN")[:255], AttendeeRole.CHAIR, Attendance.ACCEPTED, True)
    attendees = event.get("attendee") or []
    for prop in attendees if isinstance(attendees, list) else [attendees]:
        email = address_of(prop)
        if email is None:
            continue
        invitee = found.get(email) or Invitee(email, _param(prop, "CN")[:255])
        invitee.role = ROLES.get(_param(prop, "ROLE").upper(), invitee.role)
        invitee.attendance = PARTSTATS.get(_param(prop, "PARTSTAT").upper(), invitee.attendance)
        found[email] = invitee
    return list(found.values())


def match_invitees(invitees: Iterable[Invitee], *, by: User) -> None:
    """Set each invitee's contact (one the user may see) and user by address, in two queries."""
    invitees = list(invitees)
    emails = sorted({invitee.email for invitee in invitees})
    if not emails:
        return
    contacts: dict[str, Contact] = {}
    matching = visible_contacts(by).annotate(email_lower=Lower("email"))
    for contact in matching.filter(Q(email_lower__in=emails) | Q(additional_emails__overlap=emails)).order_by("pk"):
        for address in [contact.email, *contact.additional_emails]:
            contacts.setdefault(address.lower(), contact)
    staff = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails, is_active=True)
    users = {user.email.lower(): user for user in staff}
    for invitee in invitees:
        invitee.contact = contacts.get(invitee.email)
        invitee.user = users.get(invitee.email)


def set_attendees(activity: Activity, invitees: Iterable[Invitee], *, by: User | None) -> None:
    """Make the meeting's attendees exactly ``invitees`` (by address): new rows added, changed rows
    updated (an answer changed stamps ``responded_at``), rows no longer listed removed."""
    wanted = {invitee.email: invitee for invitee in invitees}
    with transaction.atomic():
        before = attendee_lines(activity)
        current = {row.email.lower(): row for row in activity.attendees.all()}
        stale = [row.pk for email, row in current.items() if email not in wanted]
        ActivityAttendee.objects.filter(pk__in=stale).delete()
        organisers = [email for email, invitee in wanted.items() if invitee.is_organizer]
        if organisers:  # one organiser per meeting: whoever else was is an attendee now
            activity.attendees.filter(is_organizer=True).exclude(email__in=organisers).update(is_organizer=False)
            for email, row in current.items():
                row.is_organizer = row.is_organizer and email in organisers
        for email, invitee in wanted.items():
            row = current.get(email) or ActivityAttendee(activity=activity, email=email)
            answered = row.pk is not None and row.attendance != invitee.attendance
            row.name = invitee.name or row.name
            row.role, row.attendance, row.is_organizer = invitee.role, invitee.attendance, invitee.is_organizer
            row.contact, row.user = invitee.contact or row.contact, invitee.user or row.user
            if answered or (row.pk is None and invitee.attendance != Attendance.NEEDS_ACTION):
                row.responded_at = timezone.now()
            row.save()
        record_attendee_change(activity, old=before, new=attendee_lines(activity), by=by)


def record_attendee_change(activity: Activity, *, old: list[str], new: list[str], by: User | None) -> None:
    """The meeting's timeline entry and ``activity.updated`` event for a change of its attendees
    (``old``/``new``: "address (answer)" lines); nothing when they are the same. Caller holds the
    transaction."""
    if old == new:
        return
    # The meeting changed even if none of its own columns did: calendar sync compares
    # ``updated_at`` to know what to write, so an attendees-only change must move it too.
    activity.updated_at = timezone.now()
    Activity.objects.filter(pk=activity.pk).update(updated_at=activity.updated_at)
    changes = [{"field": "attendees", "label": str(_("attendees")), "old": old, "new": new}]
    links = {name: getattr(activity, name) for name in ("company", "contact", "lead", "deal")}
    record_entry(TimelineKind.UPDATED, actor=by, data={"changes": changes}, activity=activity, **links)
    record_event("updated", activity, by=by, data={"changes": changes})


def attendee_lines(activity: Activity) -> list[str]:
    """The meeting's attendees as compared by ``record_attendee_change``."""
    return [f"{row.email} ({row.get_attendance_display()})" for row in activity.attendees.order_by("email")]
