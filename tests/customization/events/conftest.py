"""Outbox fixtures: a recording consumer, and alpha with real commits (cleaned up afterwards)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from customization.events import dispatcher
from customization.events.models import DomainEvent
from tenants.models import Tenant
from tests import committed_rows
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
def committed_alpha(django_db_setup: None, request: pytest.FixtureRequest) -> Iterator[TenantFixture]:
    yield from committed_tenant(request, "alpha")


def committed_tenant(request: pytest.FixtureRequest, slug: str) -> Iterator[TenantFixture]:
    """A tenant outside a test transaction, for workers to see. The test names what it makes
    "Committed …"; those rules, activities and deals are removed afterwards. The events, audit
    entries, notifications and timeline entries written meanwhile are the suite's to remove, as
    after every test that commits (``tests/committed_rows.py``): for that, the test must be one
    (no test transaction) and the tenant a shared one."""
    from customization.workflows.models import WorkflowRule
    from modules.activities.models import Activity
    from modules.contacts.models import TimelineEntry
    from modules.sales.models import Deal

    assert committed_rows.commits(request.node), f"{request.node.nodeid} runs in a test transaction"
    assert slug in committed_rows.SHARED_TENANTS, f"the suite cleans up after alpha and beta, not {slug}"
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    with django_db_blocker.unblock():
        fixture = TenantFixture(Tenant.objects.get(slug=slug))
        yield fixture
        with tenant_context(fixture.tenant):
            WorkflowRule.objects.filter(name__startswith="Committed ").delete()
            Activity.objects.filter(subject__startswith="Committed ").delete()
            deals = Deal.objects.filter(name__startswith="Committed ")
            TimelineEntry.objects.filter(deal__in=deals).delete()
            deals.delete()
        connection.set_schema_to_public()
