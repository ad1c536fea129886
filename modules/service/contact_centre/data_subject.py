"""What an erased contact leaves in the contact centre: calls, text messages and satisfaction
answers stay as counts for the agents' statistics, without the number, the text or the comment."""

from __future__ import annotations

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage


def erase(contact: Contact, _by: User | None) -> int:
    calls = Call.objects.filter(contact=contact).update(customer_number="", contact=None)
    texts = SmsMessage.objects.filter(contact=contact).update(to_number="", body="", contact=None)
    answers = CsatSurvey.objects.filter(contact=contact).update(email="", comment="", contact=None)
    return calls + texts + answers


def register() -> None:
    register_subject_data(SubjectData(key="contact_centre", erase=erase))
