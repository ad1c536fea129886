"""A contact's e-mails in connected mailboxes are in the contact's export and go with an erasure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.services.data_subject import erase_contact, export_contact
from modules.mailboxes.models import MailAttachment, MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store import WrittenFiles, store_message
from tests.factories import ContactFactory
from tests.mailboxes.conftest import OWNER_ADDRESS, message
from tests.tenancy import ADMIN_EMAIL, TenantFixture


def _erase_then_fail(contact: Any, admin: Any) -> None:
    with transaction.atomic():
        erase_contact(contact, by=admin)
        raise RuntimeError("a later step of the same transaction fails")


def test_an_erased_contact_takes_their_e_mails_and_files_along(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        admin = alpha.user(ADMIN_EMAIL)
        contact = ContactFactory(email="ana@acme.example")
        other = ContactFactory(email="bo@acme.example")
        mailbox = connect_mailbox(owner=admin, email=OWNER_ADDRESS, imap_host="imap.mail.example", imap_password="pw")
        for sender, attachment in (("ana@acme.example", b"%PDF ana"), ("bo@acme.example", None)):
            store_message(
                mailbox, message(sender=sender, attachment=attachment)[1], folder=None, uid=None, direction="in",
                matcher=Matcher(own_addresses=[OWNER_ADDRESS]), files=WrittenFiles(),
            )  # fmt: skip
        key = MailAttachment.objects.get().storage_key

        exported = export_contact(contact, by=admin)
        with pytest.raises(RuntimeError):
            _erase_then_fail(contact, admin)
        # Rolled back: the message is there, so its file must be too.
        assert attachment_storage().exists(key)
        with django_capture_on_commit_callbacks(execute=True):
            erase_contact(contact, by=admin)

        assert [row["subject"] for row in exported["related"]["mailbox_messages"]] == ["Pricing for next year"]
        assert exported["related"]["mailbox_messages"][0]["attachments"] == ["prices.pdf"]
        assert list(MailMessage.objects.values_list("from_address", flat=True)) == [other.email]
        assert not attachment_storage().exists(key)
