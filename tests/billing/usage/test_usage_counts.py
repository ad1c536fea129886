"""What ``usage_for`` counts: seats, records, storage, workflow runs this month (in the tenant's time
zone), API requests today; from the public schema too, per tenant, remembered for a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.db import connection

from billing.usage import _database_bytes, count_usage, forget_usage, usage_for, usage_rows
from customization.workflows.models import WorkflowRun
from identity.models import User
from modules.sales.models import Product, Quote
from tests.api.rest_crm.helpers import api_client
from tests.customization.workflows.engine.conftest import make_rule
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import TenantFixture


def test_records_count_every_kind_of_record_of_the_tenant_only(alpha: TenantFixture, beta: TenantFixture) -> None:
    before_alpha, before_beta = count_usage(alpha.tenant).records, count_usage(beta.tenant).records
    with alpha.active():
        CompanyFactory.create_batch(2)
        ContactFactory()
        LeadFactory()
        DealFactory()
        ActivityFactory()
        Product.objects.create(name="Licence", unit_price=Decimal("10"))
        Quote.objects.create(number="Q-USAGE-1")

    assert count_usage(alpha.tenant).records == before_alpha + 8
    assert count_usage(beta.tenant).records == before_beta


def test_seats_are_the_active_users(alpha: TenantFixture) -> None:
    before = count_usage(alpha.tenant).seats
    with alpha.active():
        User.objects.create(email="new@example.test", is_active=True)
        User.objects.create(email="gone@example.test", is_active=False)
        active = User.objects.filter(is_active=True).count()

    assert count_usage(alpha.tenant).seats == before + 1 == active


def test_storage_is_the_schemas_tables_plus_its_private_files(
    alpha: TenantFixture, beta: TenantFixture, private_files
) -> None:
    schema = alpha.tenant.schema_name
    (private_files / "exports" / schema).mkdir(parents=True)
    (private_files / "exports" / schema / "a.csv").write_bytes(b"x" * 1234)
    (private_files / "imports" / schema / "nested").mkdir(parents=True)
    (private_files / "imports" / schema / "nested" / "b.xlsx").write_bytes(b"y" * 1000)
    (private_files / "exports" / beta.tenant.schema_name).mkdir(parents=True)
    (private_files / "exports" / beta.tenant.schema_name / "other.csv").write_bytes(b"z" * 5000)

    usage = count_usage(alpha.tenant)

    tables = _database_bytes(schema)
    assert tables > 0
    assert usage.storage_bytes == tables + 2234


def _run(rule, key: str, *, at: datetime, status: str = "succeeded", dry_run: bool = False) -> WorkflowRun:  # type: ignore[no-untyped-def]
    run = WorkflowRun.objects.create(
        rule=rule, version=1, trigger_key=key, entity="contact", record_id=1, status=status, dry_run=dry_run
    )
    WorkflowRun.objects.filter(pk=run.pk).update(created_at=at)
    return run


def test_workflow_runs_count_this_month_in_the_tenants_time_zone(alpha: TenantFixture) -> None:
    # 31 March 12:00 UTC is already 1 April 01:00 in Auckland: the tenant's month began at 11:00 UTC.
    now = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    alpha.tenant.time_zone = "Pacific/Auckland"
    alpha.tenant.save(update_fields=["time_zone"])
    with alpha.active():
        rule = make_rule(entity="contact")
        _run(rule, "in-month", at=now - timedelta(minutes=30))
        _run(rule, "in-month-too", at=now - timedelta(minutes=50))
        _run(rule, "last-month", at=now - timedelta(minutes=70))
        _run(rule, "skipped", at=now, status="skipped")
        _run(rule, "dry", at=now, dry_run=True)

    with time_machine.travel(now, tick=False):
        assert count_usage(alpha.tenant).workflow_runs_this_month == 2
        alpha.tenant.time_zone = "UTC"
        assert count_usage(alpha.tenant).workflow_runs_this_month == 3


def test_api_requests_today_are_the_tenants_counted_requests(alpha: TenantFixture, beta: TenantFixture) -> None:
    client = api_client(alpha)
    for _request in range(3):
        assert client.get("/api/v1/me").status_code == 200
    # Anonymous requests spend nothing of the tenant's.
    alpha.client(None).get("/api/v1/me")
    api_client(beta).get("/api/v1/me")

    assert count_usage(alpha.tenant).api_requests_today == 3
    assert count_usage(beta.tenant).api_requests_today == 1


def test_usage_from_the_public_schema_counts_in_each_tenant_and_is_remembered_per_tenant(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    with alpha.active():
        CompanyFactory.create_batch(3)
    expected_alpha, expected_beta = count_usage(alpha.tenant), count_usage(beta.tenant)
    connection.set_schema_to_public()

    alpha_usage, beta_usage = usage_for(alpha.tenant), usage_for(beta.tenant)

    assert (alpha_usage, beta_usage) == (expected_alpha, expected_beta)
    assert alpha_usage.records == beta_usage.records + 3
    assert connection.schema_name == "public"
    # Remembered: a new record shows after a minute (or once forgotten), not at once.
    with alpha.active():
        CompanyFactory()
    assert usage_for(alpha.tenant).records == expected_alpha.records
    forget_usage(alpha.tenant)
    assert usage_for(alpha.tenant).records == expected_alpha.records + 1


def test_usage_rows_pair_figures_with_the_plans_limits(alpha: TenantFixture, subscribed) -> None:
    usage = count_usage(alpha.tenant)
    subscribed(alpha, plan="starter", seat_limit=usage.seats, record_limit=None)

    rows = {row.key: row for row in usage_rows(alpha.tenant)}

    assert [key for key in rows] == ["seats", "records", "api_requests", "storage", "workflow_runs"]
    assert (rows["seats"].used, rows["seats"].limit, rows["seats"].level) == (usage.seats, usage.seats, "full")
    assert (rows["records"].limit, rows["records"].percent, rows["records"].level) == (None, None, "ok")
    assert rows["storage"].limit == 1024 * 1024 * 1024
    assert rows["api_requests"].limit == 10_000
    assert rows["workflow_runs"].limit == 1_000
