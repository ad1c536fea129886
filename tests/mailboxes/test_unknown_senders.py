"""Unknown senders of synced mail become a contact or a lead in one click, and their mail (read
from a real Dovecot) lands on the new record's timeline; the list costs the same queries whatever
it holds; nobody turns a colleague's correspondents into records; isolation and permissions."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact, TimelineEntry
from modules.mailboxes.models import MailLink
from modules.mailboxes.tasks import sync_mailbox
from modules.sales.models import Lead
from tests.factories import ContactFactory
from tests.mailboxes.conftest import append_many, connect, message
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke


def _synced(tenant: TenantFixture, imap_server: Any, raws: list[bytes]) -> Any:
    with tenant.active():
        mailbox = connect(tenant.user(REP_EMAIL), imap_server)
    append_many(imap_server, raws)
    with tenant.active():
        assert sync_mailbox(mailbox.pk) == len(raws)
    return mailbox


def test_an_unknown_sender_becomes_a_contact_and_their_mail_follows(alpha: TenantFixture, imap_server):
    with alpha.active():
        ContactFactory(email="known@acme.example", owner=alpha.user(REP_EMAIL))
    _synced(
        alpha,
        imap_server,
        [
            message(sender="Zoe Quinn <Zoe@newco.example>", subject="Hello")[1],
            message(sender="Zoe Quinn <zoe@newco.example>", subject="Following up")[1],
            message(sender="Max <max@other.example>", subject="A question")[1],
            message(sender="known@acme.example", subject="Known")[1],
        ],
    )
    client = alpha.client(REP_EMAIL)

    page = client.get("/mail/senders/")
    listed = {sender.address: sender.count for sender in page.context["senders"]}
    made = client.post("/mail/senders/make/contact/", {"address": "zoe@newco.example"})
    lead = client.post("/mail/senders/make/lead/", {"address": "max@other.example"})

    assert listed == {"zoe@newco.example": 2, "max@other.example": 1}
    with alpha.active():
        contact = Contact.objects.get(email="zoe@newco.example")
        new_lead = Lead.objects.get(email="max@other.example")
        assert (contact.first_name, contact.last_name, contact.owner_id) == ("Zoe", "Quinn", alpha.user(REP_EMAIL).pk)
        assert MailLink.objects.filter(contact=contact).count() == 2
        assert MailLink.objects.filter(lead=new_lead).count() == 1
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact).count() == 2
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, lead=new_lead).count() == 1
    assert made.status_code == 302
    assert made["Location"] == f"/contacts/{contact.pk}/"
    assert lead["Location"] == f"/leads/{new_lead.pk}/"
    assert "Following up" in client.get(f"/timeline/contact/{contact.pk}/").content.decode()
    assert client.get("/mail/senders/").context["senders"] == []
    # Made twice: the contact exists now and nothing of Zoe's is unlinked any more.
    assert client.post("/mail/senders/make/contact/", {"address": "zoe@newco.example"}).status_code == 404
    with alpha.active():
        assert Contact.objects.filter(email="zoe@newco.example").count() == 1


def test_the_list_costs_the_same_queries_for_few_and_many_senders(alpha: TenantFixture, imap_server):
    mailbox = _synced(alpha, imap_server, [message(sender=f"person{n}@new{n}.example")[1] for n in range(2)])
    client = alpha.client(REP_EMAIL)
    client.get("/")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            senders = client.get("/mail/senders/").context["senders"]
        return len(senders), len(captured.captured_queries)

    few = queries()
    append_many(imap_server, [message(sender=f"person{n}@new{n}.example")[1] for n in range(2, 14)])
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 12
    many = queries()

    assert (few[0], many[0]) == (2, 14)
    assert many[1] == few[1]


def test_nobody_makes_records_of_a_colleagues_correspondents_or_without_the_permission(
    alpha: TenantFixture, beta: TenantFixture, imap_server
):
    _synced(alpha, imap_server, [message(sender="zoe@newco.example")[1]])
    make = ("post", "/mail/senders/make/contact/", {"address": "zoe@newco.example"})

    assert_cross_tenant_requests_fail(alpha, beta, [make])
    assert beta.client().get("/mail/senders/").context["senders"] == []  # a list of one's own mail only
    colleague = alpha.client()  # the admin: the mail is in the rep's mailbox, not theirs
    assert colleague.get("/mail/senders/").context["senders"] == []
    assert colleague.post(make[1], make[2]).status_code == 404
    assert alpha.client(REP_EMAIL).post(make[1], {"address": "not an address"}).status_code == 400
    assert alpha.client(REP_EMAIL).post("/mail/senders/make/deal/", make[2]).status_code == 403
    revoke(alpha, "sales_rep", "contacts.change")
    assert alpha.client(REP_EMAIL).post(make[1], make[2]).status_code == 403
    revoke(alpha, "sales_rep", "activities.change")
    assert alpha.client(REP_EMAIL).get("/mail/senders/").status_code == 403
    with alpha.active():
        assert not Contact.objects.filter(email="zoe@newco.example").exists()
