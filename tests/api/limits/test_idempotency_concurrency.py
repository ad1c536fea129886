"""Two requests with the same Idempotency-Key at the same moment create one record (real commits)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from api.idempotency.models import IdempotencyRecord
from customization.events.models import DomainEvent
from modules.contacts.models import Company, TimelineEntry
from tenants.models import Tenant
from tests.api.rest_crm.helpers import api_client
from tests.tenancy import TenantFixture

NAME = "Concurrent Idempotent Co"
KEY = "concurrent-create"


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction (concurrent transactions must commit); this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with tenant_context(alpha.tenant):
            companies = Company.objects.filter(name=NAME)
            TimelineEntry.objects.filter(company__in=companies).delete()
            DomainEvent.objects.filter(entity="company", record_id__in=companies.values("pk")).delete()
            companies.delete()
            IdempotencyRecord.objects.filter(key=KEY).delete()
        connection.set_schema_to_public()


def test_concurrent_duplicates_create_one_record_and_both_get_its_answer(committed_alpha: TenantFixture):
    clients: list[Client] = [api_client(committed_alpha) for _ in range(2)]
    barrier = threading.Barrier(len(clients))
    responses: list[object] = []
    errors: list[BaseException] = []

    def create(client: Client) -> None:
        try:
            barrier.wait()
            responses.append(
                client.post(
                    "/api/v1/companies/",
                    {"name": NAME},
                    content_type="application/json",
                    headers={"Idempotency-Key": KEY},
                )
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for client in clients:
        client.logout()

    assert errors == []
    assert sorted(response.status_code for response in responses) == [201, 201]  # type: ignore[attr-defined]
    assert responses[0].content == responses[1].content  # type: ignore[attr-defined]
    assert sorted(response.get("Idempotent-Replayed", "") for response in responses) == ["", "true"]  # type: ignore[attr-defined]
    with tenant_context(committed_alpha.tenant):
        assert Company.objects.filter(name=NAME).count() == 1
        assert IdempotencyRecord.objects.filter(key=KEY).count() == 1
