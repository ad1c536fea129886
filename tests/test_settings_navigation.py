"""The settings menu: the platform's entries and the enabled modules' entries (``Module.settings_nav``)
that the user may open, the current page's entry marked."""

import re

from django.urls import reverse

from crm_platform.settings_navigation import settings_navigation
from modules import registry
from modules.registry import Module, SettingsEntry
from tenants.models import Tenant
from tests.tenancy import REP_EMAIL, TenantFixture


def _labels(tenant: Tenant, user, path: str = "/") -> list[str]:  # type: ignore[no-untyped-def]
    return [str(link.label) for link in settings_navigation(tenant, user, path)]


def test_module_entries_show_only_when_the_tenant_has_the_module(alpha: TenantFixture) -> None:
    admin = alpha.user()

    with_service = _labels(Tenant(enabled_modules=["sales", "service", "marketing"]), admin)
    without = _labels(Tenant(enabled_modules=[]), admin)

    assert {"SLAs", "Support addresses", "Pipelines", "Marketing e-mail"} <= set(with_service)
    assert not {"SLAs", "Support addresses", "Pipelines", "Marketing e-mail"} & set(without)
    # The platform's own entries come first, the integrations last, modules' in between.
    assert with_service.index("Workflows") < with_service.index("Pipelines") < with_service.index("API keys")
    assert without[0] == "Users"
    assert without[-1] == "Audit log"


def test_entries_need_their_permission(alpha: TenantFixture) -> None:
    tenant = Tenant(enabled_modules=["sales", "service"])

    rep = _labels(tenant, alpha.user(REP_EMAIL))

    assert "Users" not in rep
    assert "Audit log" not in rep
    assert "SLAs" not in rep
    assert "API keys" in rep  # every user manages their own keys


def test_the_most_specific_entry_is_the_current_one(alpha: TenantFixture) -> None:
    tenant = Tenant(enabled_modules=["service"])
    sla_page = reverse("sla-admin:calendars") + "new/"

    links = settings_navigation(tenant, alpha.user(), sla_page)
    active = [str(link.label) for link in links if link.active]
    on_users = [
        str(link.label) for link in settings_navigation(tenant, alpha.user(), reverse("settings:users")) if link.active
    ]
    on_invitations_subpage = [
        str(link.label)
        for link in settings_navigation(tenant, alpha.user(), reverse("settings:invitations") + "x/")
        if link.active
    ]

    assert active == ["SLAs"]  # not "Service desk", whose pages share the /settings/service/ prefix
    assert on_users == ["Users"]
    assert on_invitations_subpage == []  # an exact entry is current on its own page only


def test_a_module_adds_a_settings_page_without_editing_the_menu(alpha: TenantFixture, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    extra = Module(
        key="sales",
        label="Sales",
        settings_nav=(SettingsEntry("Zeppelin settings", "shell:home", "sales.view"),),
    )
    monkeypatch.setattr(registry, "MODULES", (*[m for m in registry.MODULES if m.key != "sales"], extra))
    alpha.tenant.enabled_modules = ["sales"]
    alpha.tenant.save(update_fields=["enabled_modules"])

    page = alpha.client().get(reverse("settings:users"))

    html = page.content.decode()
    menu = html[html.index('id="settings-nav"') : html.index("</nav>", html.index('id="settings-nav"'))]
    links = re.findall(r'<a class="nav-link( active" aria-current="page)?" href="[^"]*">([^<]*)</a>', menu)
    assert page.status_code == 200
    assert "Zeppelin settings" in [label for _current, label in links]
    assert [label for current, label in links if current] == ["Users"]
