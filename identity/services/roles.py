"""Built-in roles and role changes."""

from typing import TypedDict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from identity.choices import RecordVisibility
from identity.models import PermissionCatalogue, Role, User
from identity.permissions import PLATFORM_PERMISSIONS, all_permissions, module_permission_codes
from identity.services.audit import audit

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


def grant_new_permissions() -> list[str]:
    """Give the built-in roles the permissions that appeared since the last run (a module or a
    feature added by an upgrade), as their definitions say; returns the new codes.

    Only new codes are granted, so a permission an admin took away from a built-in role stays
    away. A tenant that never ran this takes the codes no role holds as the new ones. Runs after
    every migration of a tenant schema (``identity.apps``)."""
    current = set(all_permissions())
    with transaction.atomic():
        catalogue = PermissionCatalogue.objects.select_for_update().filter(pk=1).first()
        if catalogue is not None:
            known = set(catalogue.codes)
        else:
            known = {code for role in Role.objects.all() for code in role.permissions}
        new = current - known
        granted: dict[str, list[str]] = {}
        if new:
            specs = system_role_definitions()
            for role in Role.objects.filter(is_system=True, key__in=specs).order_by("pk"):
                added = [
                    code for code in specs[role.key]["permissions"] if code in new and code not in role.permissions
                ]
                if added:
                    role.permissions = [*role.permissions, *added]
                    role.save(update_fields=["permissions"])
                    granted[role.key] = added
        PermissionCatalogue.objects.update_or_create(pk=1, defaults={"codes": sorted(current)})
        if granted:
            audit(
                "role.permissions_granted",
                _("New permissions were given to the built-in roles."),
                system="upgrade",
                target="roles",
                details={"granted": granted},
            )
    return sorted(new)


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


# How far each record visibility sees, to compare two roles.
VISIBILITY_REACH: dict[str, int] = {V.OWN: 0, V.TEAM: 1, V.ALL: 2}


def grant_refusal(*, by: User | None, permissions: list[str], record_visibility: str) -> str | None:
    """Why ``by`` may not hand out (give a user, or write into a role) these permissions and this
    visibility, or None. Managing users or roles is no way to gain more than one's own role holds:
    an editor grants only permissions their role has and sees no further than it does."""
    if by is None:  # the platform itself (provisioning, demo data)
        return None
    own = by.role
    held = set(own.permissions) if own else set()
    beyond = sorted(set(permissions) - held)
    if beyond:
        return _("You can only grant permissions your own role holds; not %(codes)s.") % {"codes": ", ".join(beyond)}
    reach = VISIBILITY_REACH.get(own.record_visibility, 0) if own else 0
    if VISIBILITY_REACH.get(record_visibility, 0) > reach:
        return _("You can only grant a record visibility as wide as your own role's.")
    return None


def holds_more_than(role: Role, by: User | None) -> bool:
    """Whether ``role`` holds a permission or a visibility ``by``'s own role does not: then only
    someone who holds as much may change the role, or a user who has it."""
    refusal = grant_refusal(by=by, permissions=list(role.permissions), record_visibility=role.record_visibility)
    return refusal is not None


def check_role_grant(role: Role, *, by: User | None, field: str = "role") -> None:
    """Refuse (ValidationError on ``field``) giving ``role`` when it holds more than ``by``'s own."""
    refusal = grant_refusal(by=by, permissions=list(role.permissions), record_visibility=role.record_visibility)
    if refusal is not None:
        raise ValidationError({field: [refusal]}, code="grants_more")


def update_role(
    role: Role, *, name: str, permissions: list[str], record_visibility: str, by: User | None = None
) -> Role:
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
    if holds_more_than(role, by):
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This role holds more than your own; only someone who holds as much can change it.")]}
        )
    # From here the role holds nothing beyond ``by``'s own: checking the new set checks what is added.
    if refusal := grant_refusal(by=by, permissions=permissions, record_visibility=V.OWN):
        errors.setdefault("permissions", [refusal])
    if refusal := grant_refusal(by=by, permissions=[], record_visibility=record_visibility):
        errors.setdefault("record_visibility", [refusal])
    if errors:
        raise ValidationError(errors)
    before_permissions, before_visibility = set(role.permissions), role.record_visibility
    with transaction.atomic():
        role.name = name.strip()
        role.permissions = [code for code in known if code in set(permissions)]
        role.record_visibility = record_visibility
        role.save()
        added = sorted(set(role.permissions) - before_permissions)
        removed = sorted(before_permissions - set(role.permissions))
        changes = [_("records seen: %(visibility)s") % {"visibility": V(record_visibility).label}]
        if added:
            changes.append(_("added %(codes)s") % {"codes": ", ".join(added)})
        if removed:
            changes.append(_("removed %(codes)s") % {"codes": ", ".join(removed)})
        audit(
            "role.updated",
            _("Role %(role)s changed: %(changes)s.") % {"role": role.name, "changes": "; ".join(changes)},
            by=by,
            target=f"role:{role.key or role.pk}",
            details={
                "added": added,
                "removed": removed,
                "record_visibility": record_visibility,
                "before_visibility": before_visibility,
            },
        )
    return role
