"""What an erased contact leaves in sales: the lead the contact came from loses the person's
details (the lead stays for the funnel's counts); deals, quotes and orders stay as business
records, unlinked from the contact by their foreign keys."""

from __future__ import annotations

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.sales.models import Lead


def erase(contact: Contact, _by: User | None) -> int:
    return Lead.objects.filter(converted_contact=contact).update(
        first_name="",
        last_name="",
        full_name="",
        email="",
        phone="",
        job_title="",
        description="",
        converted_contact=None,
    )


def register() -> None:
    register_subject_data(SubjectData(key="leads", erase=erase))
