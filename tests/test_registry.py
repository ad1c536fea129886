"""The module registry: which modules a tenant has, and the navigation a user sees."""

import re

import pytest

from modules import registry
from modules.registry import Module, NavEntry, UnknownModule, enabled_module_keys, is_enabled, validate_module_keys
from tenants.models import Tenant
from tests.tenancy import REP_EMAIL, TenantFixture


def test_always_on_modules_come_with_every_tenant():
    bare = Tenant(enabled_modules=[])

    assert enabled_module_keys(bare) == {"contacts", "activities"}
    assert is_enabled(Tenant(enabled_modules=["sales"]), "sales")
    assert not is_enabled(bare, "sales")


def test_unknown_module_keys_are_refused():
    with pytest.raises(UnknownModule, match="crypto"):
        is_enabled(Tenant(), "crypto")
    with pytest.raises(UnknownModule):
        validate_module_keys(["sales", "crypto"])
    assert validate_module_keys(["analytics", "sales"]) == ["sales", "analytics"]


def test_navigation_shows_enabled_modules_the_user_may_open(alpha: TenantFixture, monkeypatch):
    with_nav = (
        Module(key="contacts", label="Customers", always_on=True, nav=(NavEntry("Companies", "shell:home"),)),
        Module(key="sales", label="Sales", nav=(NavEntry("Deals", "shell:home"),)),
        Module(key="service", label="Service", nav=(NavEntry("Cases", "shell:home"),)),
    )
    monkeypatch.setattr(registry, "MODULES", with_nav)
    tenant = Tenant(enabled_modules=["sales", "service"])

    admin_nav = [m.key for m, _entries in registry.navigation(tenant, alpha.user())]
    rep_nav = [m.key for m, _entries in registry.navigation(tenant, alpha.user(REP_EMAIL))]
    no_service = [m.key for m, _entries in registry.navigation(Tenant(enabled_modules=["sales"]), alpha.user())]

    assert admin_nav == ["contacts", "sales", "service"]
    assert rep_nav == ["contacts", "sales"]  # a sales rep's role has no service permissions
    assert no_service == ["contacts", "sales"]


def test_the_shell_renders_the_registry_navigation(alpha: TenantFixture, monkeypatch):
    # Given a registry with one module and an entry the real registry does not have,
    monkeypatch.setattr(
        registry, "MODULES", (Module(key="sales", label="Sales", nav=(NavEntry("Zeppelin board", "shell:home"),)),)
    )
    admin = alpha.client()

    # when the tenant has the module and when it does not (rolled back with the test),
    alpha.tenant.enabled_modules = ["sales"]
    alpha.tenant.save(update_fields=["enabled_modules"])
    with_sales = admin.get("/").content.decode()
    alpha.tenant.enabled_modules = []
    alpha.tenant.save(update_fields=["enabled_modules"])
    without_sales = admin.get("/").content.decode()

    # then the bar shows exactly the registry's entries of the modules the tenant has.
    assert re.findall(r'data-module="(\w+)"', with_sales) == ["sales"]
    assert "Zeppelin board" in with_sales
    assert re.findall(r'data-module="(\w+)"', without_sales) == []
    assert "Zeppelin board" not in without_sales
