"""The customer-value refresh runs in a real Celery worker, in the schema of the tenant that queued
it, and stores its run and values there only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun
from modules.analytics.customer_value.tasks import KEY
from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import refresh_soon
from modules.contacts.models import Company
from modules.sales.models import Order
from tenants.models import Tenant
from tests.tenancy import TenantFixture

NAME = "Worker-refresh customer"


@pytest.fixture
def committed_tenants(django_db_setup, django_db_blocker) -> Iterator[tuple[TenantFixture, TenantFixture]]:
    """Alpha and beta outside a test transaction, for a worker to see; the test's rows are removed."""
    with django_db_blocker.unblock():
        pair = (TenantFixture(Tenant.objects.get(slug="alpha")), TenantFixture(Tenant.objects.get(slug="beta")))
        yield pair
        for tenant in pair:
            with tenant_context(tenant.tenant):
                Order.objects.filter(company__name=NAME).delete()
                Company.objects.filter(name=NAME).delete()
                CustomerValue.objects.all().delete()
                CustomerValueRun.objects.all().delete()
                RefreshDue.objects.filter(tenant=tenant.tenant).delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_the_worker_computes_the_values_of_the_tenant_that_queued_it(committed_tenants, celery_worker):
    from tests.processes import wait_until

    alpha, beta = committed_tenants
    with alpha.active():
        by = alpha.user()
        company = Company.objects.create(name=NAME, owner=by)
        # Written directly, not through the order service: its events would queue a refresh of
        # their own, which the worker would run after this test has cleaned up.
        for n, (days_ago, amount) in enumerate(((90, "120.00"), (45, "80.00"), (5, "100.00"))):
            Order.objects.create(
                number=f"WORKER-{n}",
                company=company,
                owner=by,
                currency="EUR",
                ordered_on=timezone.localdate() - timedelta(days=days_ago),
                total=Decimal(amount) * Decimal("1.19"),
                tax_total=Decimal(amount) * Decimal("0.19"),
            )
        # Other tests' order events may have refreshed these committed tenants before: count only
        # the runs from now on.
        queued_at = timezone.now()
        refresh_soon(KEY)  # due now, its run queued at once

    def computed() -> bool:
        with alpha.active():
            return CustomerValueRun.objects.filter(computed_at__gte=queued_at).exists()

    wait_until(computed, timeout=60, what="alpha's refresh to run")
    with alpha.active():
        run = CustomerValueRun.objects.get(computed_at__gte=queued_at)
        value = CustomerValue.objects.get(company__name=NAME)
        assert (value.orders, value.historical_value, value.repeat_purchases) == (3, Decimal("300.00"), 2)
        assert run.customers == CustomerValue.objects.count()
    with beta.active():
        assert not CustomerValueRun.objects.filter(computed_at__gte=queued_at).exists()
        assert not CustomerValue.objects.filter(company__name=NAME).exists()
