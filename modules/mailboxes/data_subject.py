"""A contact's e-mails in connected mailboxes: listed in the contact's export, and deleted with
their attachments when the contact is erased (the owner's mailbox still holds them; the CRM does
not keep a copy of an erased person's correspondence)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from identity.models import User
from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.mailboxes.models import MailAttachment, MailMessage


def _messages(contact: Contact) -> Any:
    return MailMessage.objects.filter(links__contact=contact)


def export(contact: Contact) -> list[dict[str, Any]]:
    return [
        {
            "date": message.date.isoformat(),
            "direction": message.direction,
            "subject": message.subject,
            "from": message.from_address,
            "to": message.to_addresses,
            "cc": message.cc_addresses,
            "text": message.text,
            "attachments": [attachment.name for attachment in message.attachments.all()],
        }
        for message in _messages(contact).prefetch_related("attachments").order_by("date", "pk")
    ]


def erase(contact: Contact, _by: User | None) -> int:
    ids = list(_messages(contact).values_list("pk", flat=True))
    keys = list(MailAttachment.objects.filter(message_id__in=ids).values_list("storage_key", flat=True))
    deleted, _kinds = MailMessage.objects.filter(pk__in=ids).delete()
    # The files go once the erasure commits: a rolled-back erasure keeps its messages, which must
    # keep their attachments.
    transaction.on_commit(lambda: _delete_files(keys), robust=True)
    return deleted


def _delete_files(keys: list[str]) -> None:
    storage = attachment_storage()
    for key in keys:
        storage.delete(key)


def register() -> None:
    register_subject_data(SubjectData(key="mailbox_messages", export=export, erase=erase))
