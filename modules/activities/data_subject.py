"""What an erased contact leaves in activities: an activity about the contact alone goes; one that
belongs to a deal stays for the deal's history, without the contact and without its notes."""

from __future__ import annotations

from identity.models import User
from modules.activities.models import Activity
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data


def erase(contact: Contact, _by: User | None) -> int:
    activities = Activity.objects.filter(contact=contact)
    kept = activities.filter(deal__isnull=False).update(body="", outcome_note="", location="", contact=None)
    deleted, _per_model = activities.filter(deal__isnull=True).delete()
    return kept + deleted


def register() -> None:
    register_subject_data(SubjectData(key="activities", erase=erase))
