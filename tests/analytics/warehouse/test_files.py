"""The warehouse export's file: one Parquet file per record type with typed columns, custom fields as
columns, exact row counts in the manifest, only the tenant's own rows; a failure leaves no file."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from customization.fields.services import create_definition
from modules.analytics.warehouse import services
from modules.analytics.warehouse.models import WarehouseExport
from modules.analytics.warehouse.tables import TABLES
from modules.contacts.models import Company
from modules.sales.models import Deal, DealStageChange
from tests.analytics.warehouse.conftest import archive_of, body_of, finished_export
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, ProductFactory
from tests.tenancy import TenantFixture


def _table(archive: Any, name: str) -> pa.Table:
    return pq.read_table(io.BytesIO(archive.read(f"{name}.parquet")))


def _deal_fields(admin: Any) -> None:
    create_definition(
        by=admin, entity="deal", key="region", label="Region", field_type="single_select",
        options=[{"value": "north", "label": "North"}, {"value": "south", "label": "South"}],
    )  # fmt: skip
    create_definition(by=admin, entity="deal", key="budget", label="Budget", field_type="money")
    create_definition(by=admin, entity="deal", key="seats", label="Seats", field_type="number")
    create_definition(by=admin, entity="deal", key="signed_on", label="Signed on", field_type="date")
    create_definition(by=admin, entity="deal", key="kickoff", label="Kick-off", field_type="datetime")
    create_definition(
        by=admin, entity="deal", key="channels", label="Channels", field_type="multi_select",
        options=[{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}],
    )  # fmt: skip


def test_each_record_type_is_a_typed_parquet_file_with_custom_fields_as_columns(
    alpha: TenantFixture, beta: TenantFixture, django_capture_on_commit_callbacks: Any
):
    with beta.active():
        CompanyFactory(name="Beta only")
    with alpha.active():
        _deal_fields(alpha.user())
        company = CompanyFactory(name="Parquet Co")
        contact = ContactFactory(company=company)
        custom = {
            "region": "north", "budget": {"amount": "1250.50", "currency": "USD"}, "seats": 12,
            "signed_on": "2025-03-01", "kickoff": "2025-03-02T08:30:00Z", "channels": ["web", "phone"],
        }  # fmt: skip
        deal = DealFactory(name="Typed", company=company, contact=contact, amount=Decimal("999.99"), custom=custom)
        DealFactory(name="Bare", company=company, custom={})
        ActivityFactory(company=company)
        ProductFactory()
        counts = {
            "companies": Company.objects.count(),
            "deals": 2,
            "deal_stage_history": DealStageChange.objects.count(),
        }

    export = finished_export(alpha, django_capture_on_commit_callbacks)
    response = alpha.client().get(f"/analytics/warehouse/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = archive_of(body_of(response))

    names = {spec.name for spec in TABLES}
    assert set(archive.namelist()) == {f"{name}.parquet" for name in names} | {"manifest.json"}
    manifest = json.loads(archive.read("manifest.json"))
    for name in names:
        table = _table(archive, name)
        assert manifest["tables"][name]["rows"] == table.num_rows
        assert list(manifest["tables"][name]["columns"]) == table.schema.names
    assert export.tables == {name: manifest["tables"][name]["rows"] for name in names}
    for name, count in counts.items():
        assert manifest["tables"][name]["rows"] == count

    companies = _table(archive, "companies").to_pylist()
    assert "Beta only" not in {row["name"] for row in companies}

    deals = _table(archive, "deals")
    schema = deals.schema
    assert schema.field("id").type == pa.int64()
    assert schema.field("company_id").type == pa.int64()
    assert schema.field("amount").type == pa.decimal128(14, 2)
    assert schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("custom_region").type == pa.string()
    assert schema.field("custom_budget").type == pa.decimal128(14, 2)
    assert schema.field("custom_budget_currency").type == pa.string()
    assert schema.field("custom_seats").type == pa.int64()
    assert schema.field("custom_signed_on").type == pa.date32()
    assert schema.field("custom_kickoff").type == pa.timestamp("us", tz="UTC")
    assert schema.field("custom_channels").type == pa.list_(pa.string())
    assert "custom" not in schema.names
    assert "search_vector" not in schema.names
    rows = {row["name"]: row for row in deals.to_pylist()}
    typed, bare = rows["Typed"], rows["Bare"]
    assert typed["id"] == deal.pk
    assert typed["company_id"] == company.pk
    assert typed["contact_id"] == contact.pk
    assert typed["amount"] == Decimal("999.99")
    assert typed["custom_region"] == "north"
    assert (typed["custom_budget"], typed["custom_budget_currency"]) == (Decimal("1250.50"), "USD")
    assert typed["custom_seats"] == 12
    assert typed["custom_signed_on"] == date(2025, 3, 1)
    assert typed["custom_kickoff"] == datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
    assert typed["custom_channels"] == ["web", "phone"]
    assert bare["custom_region"] is None
    assert bare["custom_budget"] is None
    assert bare["custom_channels"] is None


def test_a_value_stored_before_its_field_changed_type_is_empty_not_a_failed_export(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        _deal_fields(alpha.user())
        DealFactory(name="Stale", custom={"seats": "twelve", "signed_on": 5, "budget": "12"})

    export = finished_export(alpha, django_capture_on_commit_callbacks)
    archive = archive_of(body_of(alpha.client().get(f"/analytics/warehouse/{export.pk}/download/")))
    row = _table(archive, "deals").to_pylist()[0]
    assert (row["custom_seats"], row["custom_signed_on"], row["custom_budget"]) == (None, None, None)


def test_a_failed_build_is_marked_failed_and_stores_nothing(
    alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch, private_files: Any
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(services, "build_export", broken)
    with alpha.active():
        export = services.start_export(user=alpha.user())
        assert services.run_export(export.pk) is None
        export.refresh_from_db()
        assert services.run_export(export.pk) is None  # a redelivery finds it finished
    assert (export.status, export.error, export.file_key) == ("failed", "disk full", "")
    assert not (private_files / "warehouse").exists() or not any((private_files / "warehouse").rglob("*.zip"))
    response = alpha.client().get(f"/analytics/warehouse/{export.pk}/download/")
    assert response.status_code == 404


def test_only_the_latest_exports_keep_their_files(alpha: TenantFixture, private_files: Any):
    with alpha.active():
        for _ in range(services.KEEP + 2):
            export = services.start_export(user=alpha.user())
            services.run_export(export.pk)
        kept = list(WarehouseExport.objects.order_by("id"))
    assert len(kept) == services.KEEP
    files = sorted(path.name for path in (private_files / "warehouse" / alpha.tenant.schema_name).iterdir())
    assert files == sorted(export.file_key.rsplit("/", 1)[1] for export in kept)


def test_record_types_of_modules_outside_the_plan_are_left_out(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(alpha.tenant, "enabled_modules", ["analytics", "activities"])
    alpha.tenant.save(update_fields=["enabled_modules"])
    with alpha.active():
        DealFactory()
    export = finished_export(alpha, django_capture_on_commit_callbacks)
    names = set(archive_of(body_of(alpha.client().get(f"/analytics/warehouse/{export.pk}/download/"))).namelist())
    assert names == {"companies.parquet", "contacts.parquet", "activities.parquet", "manifest.json"}
    with alpha.active():
        assert Deal.objects.exists()
