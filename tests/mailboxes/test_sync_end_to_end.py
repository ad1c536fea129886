"""A connected mailbox on a real IMAP server (Dovecot): what is delivered to it reaches the
records it is about, as threads, once."""

from __future__ import annotations

from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxState, MailboxVisibility
from modules.mailboxes.models import MailAttachment, MailFolder, MailLink, MailMessage, MailThread
from modules.mailboxes.services.mailboxes import update_mailbox
from modules.mailboxes.tasks import sync_mailbox
from tests.factories import CompanyFactory, ContactFactory
from tests.mailboxes.conftest import OWNER_ADDRESS, append_many, connect, message
from tests.tenancy import REP_EMAIL, TenantFixture


def test_a_message_delivered_to_the_mailbox_appears_on_the_contacts_timeline(alpha: TenantFixture, imap_server):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        company = CompanyFactory(name="Acme", website="https://acme.example", owner=rep)
        contact = ContactFactory(email="ana@acme.example", company=company, owner=rep)
        mailbox = connect(rep, imap_server, visibility=MailboxVisibility.FULL)
    first_id, raw = message(sender="Ana <Ana@acme.example>", attachment=b"%PDF-1.4 the prices")
    imap_server.append(raw)

    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 1
        stored = MailMessage.objects.get(mailbox=mailbox)
        attachment = MailAttachment.objects.get(message=stored)
        links = set(MailLink.objects.filter(message=stored).values_list("contact_id", "company_id"))
    html = alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()
    company_html = alpha.client(REP_EMAIL).get(f"/timeline/company/{company.pk}/").content.decode()

    assert stored.message_id == first_id
    assert stored.from_address == "ana@acme.example"
    assert stored.direction == "in"
    assert links == {(contact.pk, None), (None, company.pk)}
    assert attachment.name == "prices.pdf"
    assert attachment_storage().open(attachment.storage_key).read() == b"%PDF-1.4 the prices"
    assert "Pricing for next year" in html
    assert "Could you send the new price list?" in html
    assert "Pricing for next year" in company_html


def test_a_reply_joins_the_thread_and_a_second_read_adds_nothing(alpha: TenantFixture, imap_server):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="bo@acme.example", owner=rep)
        mailbox = connect(rep, imap_server)
    first_id, first = message(sender="bo@acme.example")
    _reply_id, reply = message(
        sender=OWNER_ADDRESS, to="bo@acme.example", subject="Re: Pricing for next year", in_reply_to=first_id
    )
    imap_server.append(first)
    imap_server.create("Sent")
    append_many(imap_server, [reply], folder="Sent")

    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 2
        assert sync_mailbox(mailbox.pk) == 0
        imap_server.recreate("Sent")  # a rebuilt folder: new UIDVALIDITY, the same messages
        assert sync_mailbox(mailbox.pk) == 0
        threads = list(MailThread.objects.filter(mailbox=mailbox))
        directions = sorted(MailMessage.objects.filter(mailbox=mailbox).values_list("direction", flat=True))
        entries = list(TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact))
        inbox = MailFolder.objects.get(mailbox=mailbox, name="INBOX")
        mailbox.refresh_from_db()

    assert len(threads) == 1
    assert threads[0].message_count == 2
    assert directions == ["in", "out"]
    assert len(entries) == 1
    assert entries[0].data["count"] == 2
    assert inbox.last_uid >= 1
    assert mailbox.state == MailboxState.ACTIVE
    assert mailbox.last_synced_at is not None


def test_addresses_never_to_log_are_not_stored(alpha: TenantFixture, imap_server):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        ContactFactory(email="doctor@clinic.example", owner=rep)
        mailbox = connect(rep, imap_server, excluded_addresses=["@clinic.example"])
    append_many(imap_server, [message(sender="doctor@clinic.example")[1], message(sender="ana@acme.example")[1]])

    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 1
        senders = list(MailMessage.objects.filter(mailbox=mailbox).values_list("from_address", flat=True))

    assert senders == ["ana@acme.example"]


def test_a_broken_connection_tells_the_owner_and_backs_off(alpha: TenantFixture, imap_server):
    from modules.activities.models import Notification

    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        mailbox = connect(rep, imap_server)
        update_mailbox(mailbox, by=rep, imap_password="revoked-app-password")  # the server refuses it

        assert sync_mailbox(mailbox.pk) == 0
        assert sync_mailbox(mailbox.pk) == 0  # still broken: told once
        mailbox.refresh_from_db()
        notes = list(Notification.objects.filter(recipient=rep, kind="mailbox_broken"))
    page = alpha.client(REP_EMAIL).get("/settings/mailboxes/").content.decode()

    assert mailbox.state == MailboxState.FAILING
    assert "refused the login" in mailbox.last_error
    assert OWNER_ADDRESS not in mailbox.last_error
    assert mailbox.next_sync_at is not None
    assert mailbox.failures == 2
    assert len(notes) == 1
    assert "refused the login" in page
