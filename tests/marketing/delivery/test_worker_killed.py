"""A real Celery worker SIGKILLed in the middle of a batch: the next worker takes the send over once
the dead worker's lease has run out, and nobody is handed a message twice.

The kill is placed at the worst moment: mid-batch (its results not yet committed: the messages it
handed over are only in its journal) and while the SMTP server has a message's data but holds its
reply, so the dead worker never learnt whether it was accepted. That one message is unconfirmed:
not handed over again, counted on the send's page and listed among its recipients; the batch's
earlier messages are recorded as sent from the journal and never handed over again; every other
recipient is handed exactly one message."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.urls import reverse
from django_tenants.utils import tenant_context

from customization.events.models import DomainEvent
from identity.models import AuditEntry
from modules.contacts.models import Contact, TimelineEntry
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.delivery.tasks import resume_sends
from modules.marketing.models import MarketingEmail, Segment
from tenants.models import Tenant
from tests import processes
from tests.mail_server import MailServer
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture

RECIPIENTS = 30
BATCH = 10
KILL_AT = 14  # the message whose reply the server holds when the worker dies: the second batch's fourth
LEASE_SECONDS = 3
PREFIX = "killed"


class _HoldingHandler:
    def __init__(self, server: HoldingServer) -> None:
        self.server = server

    async def handle_EHLO(
        self, smtp: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        # PIPELINING offered, as Postfix does: the killed batch is the pipelined one (the next
        # message's envelope already written behind the held message's content).
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.server.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        if len(self.server.messages) == self.server.hold_at:
            while not self.server.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class HoldingServer(MailServer):
    """The test SMTP server, holding its reply to the ``hold_at``-th message until released."""

    def __init__(self, hold_at: int) -> None:
        super().__init__()
        self.hold_at = hold_at
        self.release = threading.Event()

    def start(self) -> None:
        self.controller = Controller(_HoldingHandler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for the workers to see; this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            emails = MarketingEmail.objects.filter(name__startswith=PREFIX)
            contacts = Contact.objects.filter(email__startswith=PREFIX)
            TimelineEntry.objects.filter(contact__in=contacts).delete()
            DomainEvent.objects.filter(entity="contact", record_id__in=contacts.values("pk")).delete()
            AuditEntry.objects.filter(action__startswith="marketing_email.").delete()
            Recipient.objects.filter(email__in=emails).delete()
            Send.objects.filter(email__in=emails).delete()
            emails.delete()
            Segment.objects.filter(name__startswith=PREFIX).delete()
            contacts.delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_worker_killed_mid_send_hands_nobody_two_copies_and_lists_the_unconfirmed(
    committed_alpha: TenantFixture, tmp_path: Path
) -> None:
    server = HoldingServer(hold_at=KILL_AT)
    server.start()
    environment = {
        **processes.test_process_environment(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "MARKETING_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
        "MARKETING_SEND_BATCH_SIZE": str(BATCH),
    }
    first = start_celery_worker(environment, tmp_path / "first.log")
    second = None
    try:
        with committed_alpha.active():
            segment, contacts = audience(RECIPIENTS, prefix=PREFIX)
            email = marketing_email(segment, name=f"{PREFIX} send")
            start_send(email, by=None)  # commits; its workers are queued after the commit
        wait_until(lambda: len(server.messages) >= KILL_AT, timeout=120, what="the held message")

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        server.release.set()  # the server answers a client that is gone
        held = str(server.messages[KILL_AT - 1]["To"]).lower()
        with committed_alpha.active():
            interrupted = Recipient.objects.get(email=email, address=held)
            assert interrupted.state == "sending"
            # The first batch committed; the second's three accepted messages are only journaled.
            assert Recipient.objects.filter(email=email, state="sent").count() == BATCH
            assert Recipient.objects.filter(email=email, state="sending").count() == BATCH

        second = start_celery_worker(environment, tmp_path / "second.log")
        with committed_alpha.active():

            def finished() -> bool:
                resume_sends.apply_async()  # what beat queues every minute
                return Send.objects.get(email=email).status == "sent"

            wait_until(finished, timeout=120, interval=LEASE_SECONDS, what="the send to finish")
            rows = {row.address: row for row in Recipient.objects.filter(email=email)}
            email.refresh_from_db()
            assert email.status == "sent"
            assert {row.address for row in rows.values() if row.state != "sent"} == {interrupted.address}
            assert rows[interrupted.address].state == "unconfirmed"
            assert rows[interrupted.address].attempts == 1
            # One "sent" on each contact's timeline, the journaled ones included; none for the
            # unconfirmed one, whose fate nobody knows.
            sent_entries = TimelineEntry.objects.filter(
                contact__in=contacts, kind="marketing_email", data__event="sent"
            )
            assert sorted(sent_entries.values_list("contact_id", flat=True)) == sorted(
                c.pk for c in contacts if c.email != interrupted.address
            )
        # The marketer sees it: counted on the send's page, listed by the recipients' state filter.
        client = committed_alpha.client()
        page = client.get(reverse("marketing-delivery:email", args=[email.pk]), {"state": "unconfirmed"})
        assert page.status_code == 200
        assert page.context["figures"].unconfirmed == 1
        assert [row.address for row in page.context["rows"]] == [interrupted.address]

        # Nobody got two copies; every recipient got one, with its row's Message-ID.
        copies = Counter(str(message["To"]).lower() for message in server.messages)
        assert copies == Counter(set(rows))
        assert {str(m["To"]).lower(): str(m["Message-ID"]) for m in server.messages} == {
            address: row.message_id for address, row in rows.items()
        }
        assert {contact.email for contact in contacts} == set(rows)
    finally:
        if first.poll() is None:
            stop(first)
        if second is not None:
            stop(second)
        server.release.set()
        server.stop()
