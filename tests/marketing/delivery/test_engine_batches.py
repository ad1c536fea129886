"""What the engine shares across a batch, with the messages unchanged: one SMTP connection per batch,
one commit per message (the acceptance of one recorded with the start of the next), one outbox
dispatcher per batch, and the content compiled once per send."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.events import outbox
from customization.events.models import DomainEvent
from modules.contacts.models import Contact
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import engine
from modules.marketing.delivery.services.engine import deliver
from modules.marketing.delivery.services.sends import start_send
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
    peers = smtp_server.peers
    assert len(peers) == 10
    # Batches of 4, 4 and 2 rows, each on its own connection.
    assert [len(set(peers[start:end])) for start, end in ((0, 4), (4, 8), (8, 10))] == [1, 1, 1]
    assert len(set(peers)) == 3
    # Still one message per recipient, with its own Message-ID and address.
    assert sorted((str(m["To"]), str(m["Message-ID"])) for m in smtp_server.messages) == sorted(
        (row.address, row.message_id) for row in rows
    )


def _savepoints_of_a_send(size: int, prefix: str) -> int:
    email, _segment = _send(size, prefix)
    with CaptureQueriesContext(connection) as queries:
        outcome = deliver(email.pk)
    assert outcome.sent == size
    assert not Recipient.objects.filter(email=email).exclude(state="sent").exists()
    return sum(1 for query in queries.captured_queries if query["sql"].startswith("SAVEPOINT"))


@pytest.mark.usefixtures("smtp_server")
def test_a_message_costs_one_transaction(alpha: TenantFixture) -> None:
    # In a test every transaction.atomic() is a savepoint: count them for 5 and for 15 recipients
    # (one batch each), so the per-send ones cancel out.
    with alpha.active():
        few = _savepoints_of_a_send(5, "few")
        many = _savepoints_of_a_send(15, "many")
        sent = DomainEvent.objects.filter(type="marketing_email.sent").count()
    assert many - few == 10
    assert sent == 20


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
