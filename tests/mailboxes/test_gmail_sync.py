"""A Gmail mailbox read through the Gmail API (a local server speaking its protocol): the first
sync reads the period by search, later syncs read Gmail's history, and a history too old to be
kept falls back to reading the period again, never storing a message twice."""

from __future__ import annotations

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxKind, MailboxVisibility
from modules.mailboxes.models import MailFolder, MailMessage, MailThread
from modules.mailboxes.services.gmail_client import GmailClient
from modules.mailboxes.services.gmail_sync import sync_gmail
from tests.factories import ContactFactory
from tests.google_server import GoogleServer, google_server  # noqa: F401
from tests.mailboxes.conftest import message
from tests.tenancy import REP_EMAIL, TenantFixture

ADDRESS = "rita@gmail.example"


def _client(server: GoogleServer) -> GmailClient:
    _refresh, access = server.grant()
    return GmailClient(lambda rejected: access)


def test_first_sync_then_history_then_a_history_too_old(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    from modules.mailboxes.models import Mailbox

    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="ana@acme.example", owner=rep)
        mailbox = Mailbox.objects.create(
            owner=rep, kind=MailboxKind.GOOGLE, email=ADDRESS, visibility=MailboxVisibility.FULL
        )
    first_id, first = message(sender="Ana <ana@acme.example>", to=ADDRESS)
    google_server.deliver(first)
    for index in range(3):
        google_server.deliver(message(sender=f"other{index}@example.org", to=ADDRESS)[1])
    google_server.deliver(message(sender="draft@acme.example", to=ADDRESS)[1], labels=("DRAFT",))
    client = _client(google_server)

    with alpha.active():
        result = sync_gmail(mailbox, client)
        cursor = MailFolder.objects.get(mailbox=mailbox, name="INBOX").highest_modseq
    assert (result.stored, result.skipped) == (4, 1)
    assert cursor == google_server.state.history_id

    _reply_id, reply = message(
        sender=ADDRESS, to="ana@acme.example", subject="Re: Pricing for next year", in_reply_to=first_id
    )
    google_server.deliver(reply, labels=("SENT",))
    google_server.state.requests.clear()
    with alpha.active():
        result = sync_gmail(mailbox, client)
        thread = MailThread.objects.get(mailbox=mailbox, messages__message_id=first_id)
        entries = list(TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact))
    assert result.stored == 1
    assert "GET /gmail/v1/users/me/history" in google_server.state.requests
    assert "GET /gmail/v1/users/me/messages" not in google_server.state.requests  # no search: history only
    assert thread.message_count == 2
    assert len(entries) == 1

    google_server.forget_history()
    google_server.deliver(message(sender="ana@acme.example", to=ADDRESS, subject="After the gap")[1])
    with alpha.active():
        result = sync_gmail(mailbox, client)
        subjects = list(MailMessage.objects.filter(mailbox=mailbox).values_list("subject", flat=True))
        directions = sorted(MailMessage.objects.filter(mailbox=mailbox).values_list("direction", flat=True))
        ids = set(MailMessage.objects.filter(mailbox=mailbox).values_list("message_id", flat=True))
    assert result.stored == 1
    assert len(subjects) == 6 == len(ids)
    assert "After the gap" in subjects
    assert directions.count("out") == 1


def test_a_reply_sent_through_gmail_joins_the_conversation_and_is_read_back_once(
    alpha: TenantFixture,
    google_server: GoogleServer,  # noqa: F811
):
    from email.message import EmailMessage

    from modules.mailboxes.models import Mailbox
    from modules.mailboxes.services.gmail_sync import send_by_gmail

    first_id, first = message(sender="ana@acme.example", to=ADDRESS)
    conversation = google_server.state.mails[google_server.deliver(first)].thread_id
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = ADDRESS, "ana@acme.example", "Re: Pricing for next year"
    reply["Message-ID"], reply["In-Reply-To"], reply["References"] = "<reply-1@crm.example>", first_id, first_id
    reply.set_content("Here it is.")
    client = _client(google_server)

    sent = send_by_gmail(client, reply.as_bytes(), in_reply_to=first_id)

    (copy,) = google_server.state.sent
    assert (sent.thread_id, copy.thread_id, copy.label_ids) == (conversation, conversation, ["SENT"])
    assert copy.message_id == "<reply-1@crm.example>"
    with alpha.active():
        mailbox = Mailbox.objects.create(owner=alpha.user(REP_EMAIL), kind=MailboxKind.GOOGLE, email=ADDRESS)
        assert sync_gmail(mailbox, client).stored == 2
        assert sync_gmail(mailbox, client).stored == 0
        out = MailMessage.objects.get(mailbox=mailbox, message_id="<reply-1@crm.example>")
    assert out.direction == "out"


def test_messages_are_fetched_through_the_batch_endpoint(alpha: TenantFixture, google_server: GoogleServer):  # noqa: F811
    from modules.mailboxes.models import Mailbox

    with alpha.active():
        mailbox = Mailbox.objects.create(owner=alpha.user(REP_EMAIL), kind=MailboxKind.GOOGLE, email=ADDRESS)
    delivered = [google_server.deliver(message(sender=f"p{n}@acme.example", to=ADDRESS)[1]) for n in range(5)]
    client = _client(google_server)

    with alpha.active():
        result = sync_gmail(mailbox, client)
    gone = client.messages([delivered[0], "ffffffffffffffff", delivered[1]])

    assert result.stored == 5
    assert google_server.state.requests.count("POST /batch/gmail/v1") == 2
    assert not [r for r in google_server.state.requests if r.startswith("GET /gmail/v1/users/me/messages/")]
    assert sorted(google_server.state.batched[:5]) == sorted(
        f"GET /gmail/v1/users/me/messages/{gid}?format=raw" for gid in delivered
    )
    assert [item.id for item in gone] == [delivered[0], delivered[1]]  # the unknown id is left out
