"""A real Celery worker SIGKILLed in the middle of a mailbox's first sync: the next run resumes
after the last committed batch, and every message is stored exactly once."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django_tenants.utils import tenant_context

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact, TimelineEntry
from modules.mailboxes.models import Mailbox, MailFolder, MailMessage
from modules.mailboxes.tasks import sync_mailbox
from tenants.models import Tenant
from tests import processes
from tests.factories import ContactFactory
from tests.mailboxes.conftest import append_many, connect, message
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import REP_EMAIL, TenantFixture

MESSAGES = 60
KILL_AFTER = 5
CORRESPONDENT = "killed-sync@acme.example"


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for the worker to see; this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            mailboxes = list(Mailbox.objects.filter(owner__email=REP_EMAIL).values_list("pk", flat=True))
            TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__mailbox__in=mailboxes).delete()
            DomainEvent.objects.filter(entity__in=["mailbox", "mail_message"]).delete()
            Mailbox.objects.filter(pk__in=mailboxes).delete()
            contacts = Contact.objects.filter(email=CORRESPONDENT)
            DomainEvent.objects.filter(entity="contact", record_id__in=contacts.values("pk")).delete()
            contacts.delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_worker_killed_mid_sync_resumes_without_duplicates(
    committed_alpha: TenantFixture, imap_server, tmp_path: Path
) -> None:
    append_many(imap_server, [message(sender=CORRESPONDENT, subject=f"Order {n}")[1] for n in range(MESSAGES)])
    environment = {**processes.test_process_environment(tmp_path), "MAILBOXES_SYNC_BATCH": "1"}
    worker = start_celery_worker(environment, tmp_path / "worker.log")
    try:
        with committed_alpha.active():
            ContactFactory(email=CORRESPONDENT)
            mailbox = connect(committed_alpha.user(REP_EMAIL), imap_server)
            sync_mailbox.apply_async((mailbox.pk,))
            wait_until(
                lambda: MailMessage.objects.filter(mailbox=mailbox).count() >= KILL_AFTER,
                timeout=120,
                interval=0.02,
                what="the first messages",
            )
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            stored_when_killed = MailMessage.objects.filter(mailbox=mailbox).count()
            committed_uid = MailFolder.objects.get(mailbox=mailbox, name="INBOX").last_uid

            assert KILL_AFTER <= stored_when_killed < MESSAGES, "the worker finished before it was killed"
            assert committed_uid == stored_when_killed  # the folder's position moved with each commit

            resumed = sync_mailbox(mailbox.pk)  # the next round, in this process
            duplicates = (
                MailMessage.objects.filter(mailbox=mailbox)
                .values("message_id")
                .annotate(copies=Count("id"))
                .filter(copies__gt=1)
            )
            duplicated = list(duplicates)
            total = MailMessage.objects.filter(mailbox=mailbox).count()
            entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__mailbox=mailbox.pk).count()

        assert resumed == MESSAGES - stored_when_killed
        assert total == MESSAGES
        assert duplicated == []
        assert entries == MESSAGES  # each "Order n" is a thread of its own on the contact
    finally:
        stop(worker)
