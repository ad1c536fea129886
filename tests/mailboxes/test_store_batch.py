"""Storing a fetched batch at once gives what storing its messages one by one gives (threads,
repeated Message-IDs, timeline entries), in a number of queries that does not grow with the batch."""

from __future__ import annotations

from typing import Any

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import Mailbox, MailMessage, MailThread
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store import store_message
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from tests.factories import CompanyFactory, ContactFactory
from tests.mailboxes.conftest import OWNER_ADDRESS, message
from tests.tenancy import REP_EMAIL, TenantFixture


def _mailbox(alpha: TenantFixture) -> Mailbox:
    return connect_mailbox(
        owner=alpha.user(REP_EMAIL), email=OWNER_ADDRESS, imap_host="imap.mail.example", imap_password="pw"
    )


def _store(mailbox: Mailbox, raws: list[bytes]) -> list[tuple[MailMessage | None, bool]]:
    return store_messages(
        mailbox,
        [(raw, uid) for uid, raw in enumerate(raws, start=1)],
        folder=None,
        direction="in",
        matcher=Matcher(own_addresses=[OWNER_ADDRESS]),
        files=WrittenFiles(),
    )


def test_a_batch_threads_replies_in_any_order_and_keeps_a_message_id_once(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example")
        mailbox = _mailbox(alpha)
        first_id, first = message(sender="ana@acme.example", subject="Prices")
        reply_id, reply = message(sender="ana@acme.example", subject="Re: Prices", in_reply_to=first_id)
        _later_id, answer_to_reply = message(sender="ana@acme.example", subject="Re: Prices", in_reply_to=reply_id)
        # The answer to the reply comes first: the reply, then the first message, join its thread.
        results = _store(mailbox, [answer_to_reply, reply, first, reply])

        assert [new for _message, new in results] == [True, True, True, False]
        assert results[3][0] == results[1][0]
        assert MailMessage.objects.filter(mailbox=mailbox).count() == 3
        thread = MailThread.objects.get(mailbox=mailbox)
        assert thread.message_count == 3
        [entry] = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
        assert entry.data["thread"] == thread.pk
        assert entry.data["count"] == 3

        # A later batch answering a stored message adds to its thread and moves the same entry.
        _id, more = message(sender="ana@acme.example", subject="Re: Prices", in_reply_to=first_id)
        assert _store(mailbox, [more])[0][1] is True
        thread.refresh_from_db()
        assert thread.message_count == 4
        [entry] = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
        assert entry.data["count"] == 4


def test_a_batch_gives_the_same_rows_as_one_by_one(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(website="https://acme.example")
        ContactFactory(email="ana@acme.example", company=company)
        ContactFactory(email="bo@other.example")
        raws: list[bytes] = []
        previous = ""
        for n in range(8):
            sender = ("ana@acme.example", "bo@other.example", "new@acme.example")[n % 3]
            message_id, raw = message(sender=sender, subject=f"Order {n}", in_reply_to=previous if n % 2 else "")
            previous = message_id
            raws.append(raw)
        batch_box = _mailbox(alpha)
        _store(batch_box, raws)
        single_box = connect_mailbox(
            owner=alpha.user(REP_EMAIL), email="second@alpha-sales.example", imap_host="imap.mail.example",
            imap_password="pw",
        )  # fmt: skip
        matcher = Matcher(own_addresses=[OWNER_ADDRESS])
        for uid, raw in enumerate(raws, start=1):
            store_message(single_box, raw, folder=None, uid=uid, direction="in", matcher=matcher, files=WrittenFiles())

        def shape(mailbox: Mailbox) -> Any:
            messages = MailMessage.objects.filter(mailbox=mailbox).order_by("uid")
            threads = {pk: n for n, pk in enumerate(dict.fromkeys(m.thread_id for m in messages))}
            entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__mailbox=mailbox.pk)
            return (
                [
                    (
                        m.subject,
                        threads[m.thread_id],
                        sorted((c or 0, k or 0) for c, k in m.links.values_list("contact_id", "company_id")),
                    )
                    for m in messages
                ],
                sorted(
                    (
                        threads[e.data["thread"]],
                        e.contact_id or 0,
                        e.company_id or 0,
                        e.data["count"],
                        e.data["participants"],
                    )
                    for e in entries
                ),
            )

        assert shape(batch_box) == shape(single_box)


def test_a_batch_costs_the_same_queries_for_5_and_50_messages(alpha: TenantFixture, django_assert_max_num_queries: Any):
    with alpha.active():
        mailbox = _mailbox(alpha)
        for n in range(50):
            ContactFactory(email=f"person{n}@client{n % 7}.example")

        def batch(size: int, start: int) -> list[bytes]:
            raws = []
            for n in range(start, start + size):
                message_id, raw = message(sender=f"person{n % 50}@client{n % 50 % 7}.example", subject=f"Q {n}")
                raws.append(raw)
                raws.append(message(sender=f"person{n % 50}@client{n % 50 % 7}.example", in_reply_to=message_id)[1])
            return raws

        small, large = batch(3, 0), batch(25, 100)
        with django_assert_max_num_queries(30) as few:
            _store(mailbox, small)
        with django_assert_max_num_queries(len(few.captured_queries)):
            _store(mailbox, large)
        assert MailMessage.objects.filter(mailbox=mailbox).count() == len(small) + len(large)
