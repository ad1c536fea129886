"""The permission catalogue: platform permissions plus what each module contributes.

A permission is a plain code such as ``settings.manage_users``; a role holds a list of them.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PLATFORM_PERMISSIONS: dict[str, str | Promise] = {
    "settings.manage_users": _("Manage users and invitations"),
    "settings.manage_roles": _("Manage roles and permissions"),
    "settings.manage_teams": _("Manage teams"),
    "settings.manage_tenant": _("Manage company settings"),
    "settings.manage_fields": _("Manage custom fields"),
    "settings.manage_pipelines": _("Manage pipelines and stages"),
    "settings.manage_workflows": _("Manage workflow rules"),
    "settings.manage_integrations": _("Manage OAuth applications and webhooks"),
    "data.import": _("Import records from files"),
    "data.export": _("Export record lists to files"),
}


def all_permissions() -> dict[str, str | Promise]:
    """Every permission code with its label, platform first, then each module's."""
    from modules.registry import MODULES

    catalogue: dict[str, str | Promise] = dict(PLATFORM_PERMISSIONS)
    for module in MODULES:
        catalogue.update(module.permissions)
    return catalogue


def module_permission_codes(*module_keys: str, actions: tuple[str, ...] = ("view", "change")) -> list[str]:
    return [f"{key}.{action}" for key in module_keys for action in actions]
