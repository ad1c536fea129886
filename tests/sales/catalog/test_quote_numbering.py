"""Quote numbers stay unique and gapless when several users create quotes at the same moment."""

import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from modules.contacts.models import TimelineEntry
from modules.sales.models import Deal, Quote
from modules.sales.services.quotes import create_quote
from tenants.models import Tenant
from tests.factories import DealFactory

WRITERS = 4


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Real commits: concurrent transactions cannot be shown inside one rolled-back test transaction."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def test_concurrent_creators_get_consecutive_distinct_numbers(committed: None):
    tenant = Tenant.objects.get(slug="alpha")
    with tenant_context(tenant):
        deal = DealFactory(name="Concurrent quotes")
    barrier = threading.Barrier(WRITERS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with tenant_context(tenant):
                barrier.wait()
                numbers.append(create_quote(deal=deal, by=None).number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _index in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
        assert sequence == list(range(sequence[0], sequence[0] + WRITERS))
    finally:
        with tenant_context(tenant):
            TimelineEntry.objects.filter(deal=deal).delete()
            Quote.objects.filter(deal=deal).delete()
            Deal.objects.filter(pk=deal.pk).delete()
