"""Fault tests: the platform under a failure of something it depends on, with real processes.

``committed_alpha`` is alpha outside a test transaction, so web processes and workers see what a
test makes. Each test names what it makes with ``FAULT_PREFIX`` and that is removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Tenant
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
