"""The lifecycle banner's cost, and deleting a tenant's data at the end of its retention."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_exists

from crm_platform.context_processors import lifecycle_banner
from tenants.models import Domain, Tenant, TenantStatusChange
from tenants.services.deletion import purge_tenant
from tenants.services.lifecycle import transition_tenant
from tests.billing.lifecycle.conftest import flush_deferred_constraints, manual_trial
from tests.tenancy import TenantFixture


def test_the_banner_reads_the_subscription_once_per_request(
    acme: TenantFixture, django_assert_num_queries: Any
) -> None:
    manual_trial(acme)
    tenant = Tenant.objects.get(pk=acme.tenant.pk)  # as the routing middleware loads it

    with django_assert_num_queries(1):
        first = lifecycle_banner(tenant, is_admin=True)
        second = lifecycle_banner(tenant, is_admin=False)

    assert first is not None
    assert second is not None
    assert first["message"] == second["message"] == "Your free trial ends in 14 days (16 Mar 2026)."
    assert (first["link_url"], first["link_label"], second["link_url"]) == ("/settings/billing/", "Choose a plan", "")


def test_an_active_tenant_has_no_banner_and_costs_no_query(alpha: TenantFixture, django_assert_num_queries: Any):
    with django_assert_num_queries(0):
        assert lifecycle_banner(alpha.tenant, is_admin=True) is None


def test_a_tenant_without_subscription_keeps_the_read_only_banner(alpha: TenantFixture) -> None:
    transition_tenant(alpha.tenant, "suspended", actor="ops@relata.test")

    banner = lifecycle_banner(alpha.tenant, is_admin=True)

    assert banner == {
        "level": "danger",
        "message": "Alpha Ltd is suspended: you can look at your data, but changes are switched off.",
        "link_url": "",
        "link_label": "",
    }


def test_purging_removes_schema_domains_and_private_files_and_keeps_the_row(
    acme: TenantFixture, alpha: TenantFixture, settings: Any, tmp_path: Path
) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path
    for kind, schema in (("exports", acme.tenant.schema_name), ("imports", acme.tenant.schema_name)):
        (tmp_path / kind / schema).mkdir(parents=True)
        (tmp_path / kind / schema / "file.csv").write_text("name\nAcme\n")
    (tmp_path / "exports" / alpha.tenant.schema_name).mkdir()
    (tmp_path / "exports" / alpha.tenant.schema_name / "keep.csv").write_text("name\nAlpha\n")
    transition_tenant(acme.tenant, "cancelled", actor="ops@relata.test")
    flush_deferred_constraints()

    purge_tenant(acme.tenant, actor="ops@relata.test", reason="asked by the customer")

    tenant = Tenant.objects.get(pk=acme.tenant.pk)
    assert tenant.status == "deleted"
    assert not schema_exists(tenant.schema_name)
    assert not Domain.objects.filter(tenant=tenant).exists()
    assert not (tmp_path / "exports" / tenant.schema_name).exists()
    assert not (tmp_path / "imports" / tenant.schema_name).exists()
    assert (tmp_path / "exports" / alpha.tenant.schema_name / "keep.csv").exists()
    assert schema_exists(alpha.tenant.schema_name)
    change = TenantStatusChange.objects.filter(tenant=tenant).latest("id")
    assert (change.from_status, change.to_status, change.reason) == ("cancelled", "deleted", "asked by the customer")
    # Running it again (an interrupted purge) is harmless.
    purge_tenant(tenant, actor="ops@relata.test", reason="again")
    assert TenantStatusChange.objects.filter(tenant=tenant, to_status="deleted").count() == 1


@pytest.mark.parametrize("slug", ["alpha", "template"])
def test_only_a_cancelled_tenant_is_purged(alpha: TenantFixture, slug: str) -> None:
    tenant = Tenant.objects.get(slug=slug)

    with pytest.raises(ValidationError) as error:
        purge_tenant(tenant, actor="ops@relata.test", reason="mistake")

    assert set(error.value.message_dict) == {"tenant"}
    assert schema_exists(tenant.schema_name)
    assert Tenant.objects.get(pk=tenant.pk).status == "active"
