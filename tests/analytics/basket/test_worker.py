"""The rules mined by a real Celery worker, in the tenant's schema, from committed orders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.analytics.basket.tasks import KEY
from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import refresh_soon
from modules.contacts.models import Company
from modules.sales.models import Order, Product
from tenants.models import Tenant
from tests.analytics.basket.han_kamber import MIN_CONFIDENCE_PERCENT, MIN_SUPPORT_PERCENT, enter_orders
from tests.analytics.basket.test_mining import assert_han_kamber_rules
from tests.tenancy import TenantFixture

PREFIX = "Worker basket"


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[TenantFixture]:
    """Alpha outside a test transaction, for the worker to see; this test's rows are removed."""
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        yield alpha
        with alpha.active():
            companies = Company.objects.filter(name__startswith=PREFIX)
            Order.objects.filter(company__in=companies).delete()
            companies.delete()
            Product.objects.filter(name__startswith=PREFIX).delete()
            BasketRule.objects.all().delete()
            BasketSettings.objects.all().delete()
            RefreshDue.objects.filter(tenant=alpha.tenant).delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_worker_mines_han_and_kambers_six_rules_from_the_orders(committed_alpha: TenantFixture, celery_worker: Path):
    from tests.processes import wait_until

    with committed_alpha.active():
        _company, products = enter_orders(PREFIX)
        BasketSettings.objects.update_or_create(
            pk=1,
            defaults={
                "min_support_percent": MIN_SUPPORT_PERCENT,
                "min_confidence_percent": MIN_CONFIDENCE_PERCENT,
                "computed_at": None,
            },
        )
        refresh_soon(KEY)  # due now, its run queued at once

    def mined() -> bool:
        with committed_alpha.active():
            return BasketSettings.objects.filter(computed_at__isnull=False).exists()

    wait_until(mined, timeout=60, what="the basket refresh")
    with committed_alpha.active():
        assert_han_kamber_rules(products)
        assert BasketSettings.objects.get().transactions == 9
