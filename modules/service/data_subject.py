"""The contact's cases in a data-subject request: the export carries the conversations of the
contact's cases (the messages point at the case, not always at the contact); erasure empties what
the customer wrote and sent (bodies, addresses, files) and keeps the cases, unlinked, for the
agents' statistics."""

from __future__ import annotations

from typing import Any

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data, row
from modules.service.choices import MessageAuthor
from modules.service.models import CaseAttachment, CaseMessage


def export(contact: Contact) -> list[dict[str, Any]]:
    messages = CaseMessage.objects.filter(case__contact=contact).select_related("case").order_by("pk")
    return [{**row(message), "case_number": message.case.number} for message in messages]


def erase(contact: Contact, _by: User | None) -> int:
    from_customer = CaseMessage.objects.filter(case__contact=contact, author_kind=MessageAuthor.CUSTOMER)
    files, _per_model = CaseAttachment.objects.filter(message__in=from_customer).delete()
    scrubbed = from_customer.update(
        body_text="", body_html="", from_address="", to_addresses=[], cc_addresses=[], subject="", contact=None
    )
    # Replies to the customer went to their address: it leaves the agents' messages too.
    CaseMessage.objects.filter(case__contact=contact).update(to_addresses=[], cc_addresses=[])
    return files + scrubbed


def register() -> None:
    register_subject_data(SubjectData(key="case_conversations", export=export, erase=erase))
