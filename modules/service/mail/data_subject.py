"""What an erased contact leaves in the support mailboxes' log: the e-mails received for the
contact's cases stay as threading entries, without the sender and the subject."""

from __future__ import annotations

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.service.mail.models import InboundMail


def erase(contact: Contact, _by: User | None) -> int:
    return InboundMail.objects.filter(case__contact=contact).update(sender="", subject="")


def register() -> None:
    register_subject_data(SubjectData(key="support_mail", erase=erase))
