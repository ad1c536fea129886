"""Fault tests: the platform under a failure of something it depends on, with real processes.

``committed_alpha`` is alpha outside a test transaction, so web processes and workers see what a
test makes. Each test names what it makes with ``FAULT_PREFIX`` and that is removed afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Tenant
from tests.billing.stripe.fake_stripe import SECRET_KEY as STRIPE_SECRET_KEY
from tests.mail_server import MailServer
from tests.processes import (
    free_port,
    launch_celery_worker,
    set_worker_aside,
    stop,
    test_process_environment,
    wait_for_worker_start,
    worker_name,
)
from tests.tenancy import TenantFixture

FAULT_PREFIX = "fault-"


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantFixture]:
    from customization.events.models import DomainEvent
    from identity.models import ApiKey, AuditEntry, Invitation
    from modules.contacts.models import Contact, TimelineEntry

    with django_db_blocker.unblock():
        fixture = TenantFixture(Tenant.objects.get(slug="alpha"))
        with tenant_context(fixture.tenant):
            first_event = (DomainEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            first_audit = (AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        yield fixture
        with tenant_context(fixture.tenant):
            contacts = Contact.objects.filter(last_name__startswith=FAULT_PREFIX)
            TimelineEntry.objects.filter(contact__in=contacts).delete()
            contacts.delete()
            ApiKey.objects.filter(name__startswith=FAULT_PREFIX).delete()
            Invitation.objects.filter(email__startswith=FAULT_PREFIX).delete()
            DomainEvent.objects.filter(id__gte=first_event).delete()
            AuditEntry.objects.filter(id__gte=first_audit).delete()
        connection.set_schema_to_public()


class StandbyWorker:
    """The worker of the tests that need one besides those they kill: started once for the fault
    tests (a worker takes seconds to start), on a queue of its own that no task is sent to, so it
    takes nothing until a test hands it the default queue (``take_over``); set aside after the test
    (``set_worker_aside``: it finishes what was queued, forgets tasks held for later and stops
    taking the default queue's).

    It sends mail through SMTP to ``mail`` (running unless a test stops it) and calls Stripe at
    ``stripe_port`` (closed unless a test serves a fake Stripe there), retrying both after seconds
    instead of minutes, as the SMTP and Stripe outage tests need; the others do not mind."""

    def __init__(self, directory: Path) -> None:
        self.mail = MailServer()
        self.stripe_port = free_port()
        self.stripe_base = f"http://127.0.0.1:{self.stripe_port}"
        self.name = worker_name("standby")
        self.log_file = directory / "worker.log"
        self.environment = {
            **test_process_environment(directory),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.mail.port),
            "MAIL_RETRY_BACKOFF_SECONDS": "1",
            "MAIL_RETRY_BACKOFF_MAX_SECONDS": "2",
            "STRIPE_API_BASE": self.stripe_base,
            "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
            "STRIPE_MAX_NETWORK_RETRIES": "0",
        }
        self.mail.start()
        # Launched, not waited for: it starts while the first test that needs it starts its own worker.
        self.process = launch_celery_worker(
            self.environment, self.log_file, name=self.name, queues=f"standby-{os.getpid()}"
        )
        self.taking_tasks = False
        self.log_start = 0

    def take_over(self) -> None:
        """From now on the worker takes the default queue's tasks, as a worker started now would."""
        from crm_platform.celery import app

        wait_for_worker_start(self.process, self.log_file)
        self.log_start = self.log_file.stat().st_size
        self.mail.messages.clear()
        replies = app.control.add_consumer(app.conf.task_default_queue, destination=[self.name], reply=True, timeout=10)
        if not replies:
            raise TimeoutError(f"worker {self.name} did not answer: it would take no task")
        self.taking_tasks = True

    def log_text(self) -> str:
        """What the worker logged since the test handed it the queue."""
        with self.log_file.open("rb") as log:
            log.seek(self.log_start)
            return log.read().decode(errors="replace")

    def set_aside(self) -> None:
        if self.taking_tasks:
            set_worker_aside(self.name)
            self.taking_tasks = False
        if self.mail.controller is None:  # a test stopped it
            self.mail.start()
        self.mail.messages.clear()

    def stop(self) -> None:
        stop(self.process)
        self.mail.stop()


@pytest.fixture(scope="package")
def _standby_worker_process(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandbyWorker]:
    standby = StandbyWorker(tmp_path_factory.mktemp("standby-worker"))
    try:
        yield standby
    finally:
        standby.stop()


@pytest.fixture
def standby_worker(_standby_worker_process: StandbyWorker) -> Iterator[StandbyWorker]:
    """Ask for it after the fixtures that clean up what its tasks work on: set aside first."""
    if _standby_worker_process.process.poll() is not None:
        raise RuntimeError(f"the standby worker exited: {_standby_worker_process.log_file.read_text()[-2000:]}")
    try:
        yield _standby_worker_process
    finally:
        _standby_worker_process.set_aside()
