"""Outbox fixtures: a recording consumer, and alpha with real commits (cleaned up afterwards)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from customization.events import dispatcher
from customization.events.models import DomainEvent
from tenants.models import Tenant
from tests.tenancy import TenantFixture


@pytest.fixture
def recording_consumer() -> Iterator[list[list[DomainEvent]]]:
    batches: list[list[DomainEvent]] = []

    def record(events: Sequence[DomainEvent]) -> None:
        batches.append(list(events))

    dispatcher.register_consumer("test-recorder", record)
    yield batches
    dispatcher._consumers.pop("test-recorder", None)


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[TenantFixture]:
    yield from committed_tenant(django_db_blocker, "alpha")


def committed_tenant(django_db_blocker: object, slug: str) -> Iterator[TenantFixture]:
    """A tenant outside a test transaction, for workers to see. The test names what it makes
    "Committed …"; those rules, activities and deals, and every event, audit entry, notification
    and timeline entry written meanwhile, are removed afterwards (later files read all of alpha's)."""
    from customization.workflows.models import WorkflowRule
    from identity.models import AuditEntry
    from modules.activities.models import Activity, Notification
    from modules.contacts.models import TimelineEntry
    from modules.sales.models import Deal

    def next_id(model: Any) -> int:
        return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        fixture = TenantFixture(Tenant.objects.get(slug=slug))
        with tenant_context(fixture.tenant):
            first = {model: next_id(model) for model in (DomainEvent, AuditEntry, Notification, TimelineEntry)}
        yield fixture
        with tenant_context(fixture.tenant):
            WorkflowRule.objects.filter(name__startswith="Committed ").delete()
            Activity.objects.filter(subject__startswith="Committed ").delete()
            deals = Deal.objects.filter(name__startswith="Committed ")
            TimelineEntry.objects.filter(deal__in=deals).delete()
            deals.delete()
            for model, first_id in first.items():
                model.objects.filter(id__gte=first_id).delete()
        connection.set_schema_to_public()
