"""What an erased contact leaves in activities: an activity about the contact alone goes; one that
belongs to a deal stays for the deal's history, without the contact and without its notes. The
contact's meeting attendee rows (linked, or only by one of the contact's addresses) are exported
and go with the erasure: an attendee row is the address and name of a person."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from identity.models import User
from modules.activities.models import Activity, ActivityAttendee
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data, row


def _attendee_rows(contact: Contact) -> QuerySet[ActivityAttendee]:
    addresses = sorted({address.lower() for address in [contact.email, *contact.additional_emails] if address})
    by_address = Q(email_lower__in=addresses) if addresses else Q(pk__in=[])
    return ActivityAttendee.objects.annotate(email_lower=Lower("email")).filter(Q(contact=contact) | by_address)


def export(contact: Contact) -> list[dict[str, Any]]:
    """Attendee rows with one of the contact's addresses that are not linked to it (linked rows are
    exported with the rows pointing at the contact)."""
    rows = _attendee_rows(contact).exclude(contact=contact).order_by("pk")
    return [row(attendee) for attendee in rows]


def erase_attendees(contact: Contact, _by: User | None) -> int:
    deleted, _per_model = _attendee_rows(contact).delete()
    return deleted


def erase(contact: Contact, _by: User | None) -> int:
    activities = Activity.objects.filter(contact=contact)
    kept = activities.filter(deal__isnull=False).update(body="", outcome_note="", location="", contact=None)
    deleted, _per_model = activities.filter(deal__isnull=True).delete()
    return kept + deleted


def register() -> None:
    register_subject_data(SubjectData(key="activities", erase=erase))
    register_subject_data(SubjectData(key="meeting_invitations_by_address", export=export, erase=erase_attendees))
