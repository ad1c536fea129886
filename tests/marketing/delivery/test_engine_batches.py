"""What the engine shares across a batch, with the messages unchanged: one SMTP connection per batch,
one commit for a batch's results (its hand-overs journaled in Redis meanwhile), one outbox
dispatcher per batch, and the content compiled once per send; and a dead worker's batch settled
from its journal: what it handed over is never handed over again, what it never started is queued,
only the one hand-over it was in the middle of goes again."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customization.events import outbox
from customization.events.models import DomainEvent
from modules.contacts.models import Contact, TimelineEntry
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import engine, journal
from modules.marketing.delivery.services.engine import deliver
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.delivery.services.settlement import INTERRUPTED, JOURNAL_LOST, claim_batch, recover_stale
from modules.marketing.email import rendering
from tests.mail_server import MailServer
from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate
from tests.tenancy import TenantFixture


def _send(size: int, prefix: str) -> tuple[Any, Any]:
    unlimited_rate()
    segment, _contacts = audience(size, prefix=prefix)
    email = marketing_email(segment, name=f"{prefix} news")
    start_send(email, by=None)
    return email, segment


def test_each_batch_goes_through_one_smtp_connection(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "batch_size", lambda: 4)
    with alpha.active():
        email, _segment = _send(10, "conn")

        outcome = deliver(email.pk)

        rows = list(Recipient.objects.filter(email=email).order_by("pk"))
    assert outcome.sent == 10
    assert {row.state for row in rows} == {"sent"}
    # Batches of 4, 4 and 2 rows, each on its own connection.
    assert smtp_server.connections == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    # Still one message per recipient, with its own Message-ID and address.
    assert sorted((str(m["To"]), str(m["Message-ID"])) for m in smtp_server.messages) == sorted(
        (row.address, row.message_id) for row in rows
    )


def _transactions_of_a_send(size: int, prefix: str) -> tuple[int, int]:
    email, _segment = _send(size, prefix)
    with CaptureQueriesContext(connection) as queries:
        outcome = deliver(email.pk)
    assert outcome.sent == size
    assert not Recipient.objects.filter(email=email).exclude(state="sent").exists()
    statements = [query["sql"] for query in queries.captured_queries]
    return sum(1 for sql in statements if sql.startswith("SAVEPOINT")), len(statements)


@pytest.mark.usefixtures("smtp_server")
def test_a_batch_costs_one_commit_whatever_its_size(alpha: TenantFixture) -> None:
    # In a test every transaction.atomic() is a savepoint: a send of 5 and one of 15 recipients (one
    # batch each) take the same number, and the same number of statements (after a first send, which
    # also fills caches).
    with alpha.active():

        def sent_so_far() -> tuple[int, int]:  # other tests' committed sends in alpha are not counted
            return (
                DomainEvent.objects.filter(type="marketing_email.sent").count(),
                TimelineEntry.objects.filter(kind="marketing_email", data__event="sent").count(),
            )

        before = sent_so_far()
        _transactions_of_a_send(2, "warm")
        few = _transactions_of_a_send(5, "few")
        many = _transactions_of_a_send(15, "many")
        after = sent_so_far()
    assert many == few
    assert (after[0] - before[0], after[1] - before[1]) == (22, 22)


def _dead_worker(email_id: int, *, lease: float) -> tuple[str, list[int]]:
    """A worker's batch of six as a SIGKILL leaves it: the first accepted, the second refused, the
    third told to try later, the fourth's hand-over started, the last two never reached; nothing of
    it in PostgreSQL but the claim, which is older than the lease."""
    claim, ids = claim_batch(email_id, 6)
    schema = connection.schema_name  # type: ignore[attr-defined]

    def step(outcomes: list[str], start: int | None) -> None:
        wait = journal.step(
            schema, claim, outcomes=outcomes, start=start, per_minute=100_000, now=time.time(), lease=lease
        )
        assert wait == 0

    step([], ids[0])
    step([journal.accepted(ids[0], "")], ids[1])
    step([journal.refused(ids[1], "550 5.1.1 No such user")], ids[2])
    step([journal.retried(ids[2], "451 4.3.0 Try again later")], ids[3])
    old = timezone.now() - timedelta(seconds=engine.lease_seconds() + 1)
    Recipient.objects.filter(pk__in=ids).update(claimed_at=old)
    return claim, ids


def test_a_dead_workers_batch_is_settled_from_its_journal(alpha: TenantFixture, smtp_server: MailServer) -> None:
    with alpha.active():
        email, _segment = _send(6, "dead")
        claim, ids = _dead_worker(email.pk, lease=0.001)
        time.sleep(0.05)  # its heartbeat has expired

        assert recover_stale(email.pk) == 6

        rows = {row.pk: row for row in Recipient.objects.filter(email=email)}
        assert [(rows[pk].state, rows[pk].attempts, rows[pk].claim) for pk in ids] == [
            ("sent", 1, ""), ("failed", 1, ""), ("queued", 1, ""),
            ("unconfirmed", 1, ""), ("queued", 0, ""), ("queued", 0, ""),
        ]  # fmt: skip
        assert "550" in rows[ids[1]].error
        assert rows[ids[2]].next_attempt_at is not None
        assert rows[ids[2]].next_attempt_at > timezone.now()
        assert rows[ids[3]].error == INTERRUPTED
        assert TimelineEntry.objects.filter(contact=rows[ids[0]].contact, data__event="sent").count() == 1
        assert DomainEvent.objects.filter(type="marketing_email.sent", data={"id": email.pk}).count() == 1
        assert journal.read(connection.schema_name, claim) == journal.Entries()  # type: ignore[attr-defined]

        outcome = deliver(email.pk)

    # Neither the accepted message nor the interrupted one is handed over again.
    assert outcome.sent == 2
    assert sorted(str(message["Message-ID"]) for message in smtp_server.messages) == sorted(
        rows[pk].message_id for pk in (ids[4], ids[5])
    )


def test_a_dead_workers_batch_whose_journal_was_lost_is_unconfirmed(alpha: TenantFixture) -> None:
    # A Redis restart without persistence: the claim is committed, its journal gone. Any of its
    # messages may have reached the server, so none is handed over again by itself.
    with alpha.active():
        email, _segment = _send(6, "lost")
        claim, ids = _dead_worker(email.pk, lease=0.001)
        journal.forget(connection.schema_name, claim)  # type: ignore[attr-defined]

        assert recover_stale(email.pk) == 6

        rows = list(Recipient.objects.filter(pk__in=ids).order_by("pk"))
    assert [(row.state, row.claim, row.error) for row in rows] == [("unconfirmed", "", JOURNAL_LOST)] * 6


def test_a_live_workers_batch_is_left_alone_however_old_its_claim(alpha: TenantFixture) -> None:
    with alpha.active():
        email, _segment = _send(6, "live")
        claim, ids = _dead_worker(email.pk, lease=60)  # its heartbeat still beats

        assert recover_stale(email.pk) == 0

        assert set(Recipient.objects.filter(pk__in=ids).values_list("state", "claim")) == {("sending", claim)}
        assert journal.read(connection.schema_name, claim).interrupted() == {ids[3]}  # type: ignore[attr-defined]
        journal.forget(connection.schema_name, claim)  # type: ignore[attr-defined]


def test_a_batch_queues_one_outbox_dispatcher(alpha: TenantFixture) -> None:
    with alpha.active():
        contacts = [
            Contact.objects.create(first_name=f"Ev{index}", email=f"ev{index}@people.example") for index in range(3)
        ]
        assert not [entry for entry in connection.run_on_commit if entry[1] is outbox._kick_dispatcher]
        with outbox.one_dispatch():
            for contact in contacts:
                outbox.emit("contact.updated", contact, entity="contact")
            pending = [entry for entry in connection.run_on_commit if entry[1] is outbox._kick_dispatcher]
            assert pending == []
        after = [entry for entry in connection.run_on_commit if entry[1] is outbox._kick_dispatcher]
    assert len(after) == 1


def test_a_block_without_events_queues_no_dispatcher(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
) -> None:
    with alpha.active(), django_capture_on_commit_callbacks() as callbacks, outbox.one_dispatch():
        Contact.objects.count()
    assert outbox._kick_dispatcher not in callbacks


def test_a_send_compiles_its_content_once(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    original = rendering.compiled_for

    def counting(email: Any) -> rendering.Compiled:
        calls.append(email.pk)
        return original(email)

    monkeypatch.setattr(rendering, "compiled_for", counting)
    with alpha.active():
        email, _segment = _send(6, "once")
        outcome = deliver(email.pk)
    assert outcome.sent == 6
    assert calls == [email.pk]
    bodies = {str(m["To"]): m.get_body(preferencelist=("html",)).get_content() for m in smtp_server.messages}
    assert all(f"Hello Once{index}" in bodies[f"once{index}@people.example"] for index in range(6))
