"""Built-in roles and role changes."""

from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from identity.choices import RecordVisibility
from identity.models import Role
from identity.permissions import PLATFORM_PERMISSIONS, all_permissions, module_permission_codes

V = RecordVisibility


class RoleSpec(TypedDict):
    name: str
    visibility: str
    permissions: list[str]


def system_role_definitions() -> dict[str, RoleSpec]:
    everything = list(all_permissions())
    view_only = [code for code in everything if code.endswith(".view")]
    return {
        "admin": {"name": gettext_noop("Administrator"), "visibility": V.ALL, "permissions": everything},
        "manager": {
            "name": gettext_noop("Manager"),
            "visibility": V.TEAM,
            "permissions": [
                *(c for c in everything if c not in PLATFORM_PERMISSIONS),
                "settings.manage_teams",
                "data.import",
                "data.export",
            ],
        },
        "sales_rep": {
            "name": gettext_noop("Sales rep"),
            "visibility": V.OWN,
            "permissions": module_permission_codes("contacts", "activities", "sales"),
        },
        "marketer": {
            "name": gettext_noop("Marketer"),
            "visibility": V.ALL,
            "permissions": [*module_permission_codes("contacts", "activities", "marketing"), "analytics.view"],
        },
        "support_agent": {
            "name": gettext_noop("Support agent"),
            "visibility": V.TEAM,
            "permissions": module_permission_codes("contacts", "activities", "service"),
        },
        "read_only": {"name": gettext_noop("Read-only"), "visibility": V.ALL, "permissions": view_only},
    }


def ensure_system_roles() -> dict[str, Role]:
    """Create the built-in roles that are missing (existing ones keep the admin's edits)."""
    roles = {}
    for key, spec in system_role_definitions().items():
        role, _created = Role.objects.get_or_create(
            key=key,
            defaults={
                "name": spec["name"],
                "record_visibility": spec["visibility"],
                "permissions": spec["permissions"],
                "is_system": True,
            },
        )
        roles[key] = role
    return roles


def update_role(role: Role, *, name: str, permissions: list[str], record_visibility: str) -> Role:
    known = all_permissions()
    unknown = sorted(set(permissions) - set(known))
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["permissions"] = [_("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}]
    if record_visibility not in V.values:
        errors["record_visibility"] = [_("Choose own records, team records or all records.")]
    if not name.strip():
        errors["name"] = [_("A role needs a name.")]
    if role.key == "admin" and not {"settings.manage_users", "settings.manage_roles"} <= set(permissions):
        errors["permissions"] = [_("The administrator role must keep user and role management.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        role.name = name.strip()
        role.permissions = [code for code in known if code in set(permissions)]
        role.record_visibility = record_visibility
        role.save()
    return role
