"""The settings menu: the platform's own entries, with each enabled module's entries
(``Module.settings_nav``) between the tenant's general settings and its integrations, so a module
adds its settings pages without editing the menu's template."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from modules.registry import SettingsEntry, enabled_modules

GENERAL: tuple[SettingsEntry, ...] = (
    SettingsEntry(_("Users"), "settings:users", "settings.manage_users", exact=True),
    SettingsEntry(_("Invitations"), "settings:invitations", "settings.manage_users", exact=True),
    SettingsEntry(_("Roles"), "settings:roles", "settings.manage_roles", exact=True),
    SettingsEntry(_("Teams"), "settings:teams", "settings.manage_teams", exact=True),
    SettingsEntry(_("Workspace"), "workspace:settings", "settings.manage_tenant", exact=True),
    SettingsEntry(_("Exchange rates"), "exchange-rates:list", "settings.manage_tenant", exact=True),
    SettingsEntry(_("Custom fields"), "custom-fields:list", "settings.manage_fields"),
    SettingsEntry(_("Workflows"), "workflows:list", "settings.manage_workflows"),
)
INTEGRATIONS: tuple[SettingsEntry, ...] = (
    # Every user may hold keys of their own; the page shows each user theirs.
    SettingsEntry(_("API keys"), "api-keys:list", ""),
    SettingsEntry(_("OAuth applications"), "oauth-apps:list", "settings.manage_integrations"),
    SettingsEntry(_("Webhooks"), "webhooks:list", "settings.manage_integrations"),
    SettingsEntry(_("Import"), "imports:list", "data.import"),
    SettingsEntry(_("Export all data"), "exports:tenant", "settings.manage_tenant"),
    SettingsEntry(_("Plan and usage"), "billing-settings:overview", "settings.manage_tenant"),
    SettingsEntry(_("Data retention"), "privacy:retention", "settings.manage_tenant", exact=True),
    SettingsEntry(_("Audit log"), "settings:audit-log", "settings.manage_tenant"),
)


@dataclass(frozen=True)
class SettingsLink:
    label: str | Promise
    url: str
    active: bool


def settings_navigation(tenant: object, user: object, path: str) -> list[SettingsLink]:
    """The entries this user may open on this tenant, the one for ``path`` marked active: among
    entries whose pages contain ``path``, the most specific (exact, then longest prefix)."""
    has_perm = getattr(user, "has_perm", lambda _perm: False)
    entries = [
        *GENERAL,
        *(entry for module in enabled_modules(tenant) for entry in module.settings_nav),
        *INTEGRATIONS,
    ]
    shown: list[tuple[SettingsEntry, str]] = []
    for entry in entries:
        if entry.permission and not has_perm(entry.permission):
            continue
        try:
            shown.append((entry, reverse(entry.url_name)))
        except NoReverseMatch:  # an app this deployment does not install
            continue
    best, best_length = None, -1
    for index, (entry, url) in enumerate(shown):
        if entry.exact:
            length = len(url) + 1 if path == url else -1
        else:
            prefix = entry.active_prefix or url
            length = len(prefix) if path.startswith(prefix) else -1
        if length > best_length:
            best, best_length = index, length
    return [SettingsLink(entry.label, url, index == best) for index, (entry, url) in enumerate(shown)]
