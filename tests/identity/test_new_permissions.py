"""An upgrade that adds permissions (a new module, a new feature) gives them to the built-in roles
that their definitions say should have them, and never gives back what an admin took away."""

from __future__ import annotations

from django_tenants.utils import schema_context

from identity.apps import _grant_new_permissions
from identity.models import AuditEntry, PermissionCatalogue, Role
from identity.permissions import all_permissions
from identity.services.roles import grant_new_permissions
from tests.tenancy import TenantFixture


def _forget(code: str) -> None:
    """The tenant as it was before ``code`` existed: no role holds it, the catalogue lacks it."""
    for role in Role.objects.all():
        role.permissions = [held for held in role.permissions if held != code]
        role.save(update_fields=["permissions"])
    PermissionCatalogue.objects.update_or_create(pk=1, defaults={"codes": sorted(set(all_permissions()) - {code})})


def test_a_new_permission_reaches_the_roles_defined_with_it_and_a_removed_one_stays_away(
    alpha: TenantFixture,
) -> None:
    with alpha.active():
        _forget("contacts.privacy")
        admin = Role.objects.get(key="admin")
        admin.permissions = [code for code in admin.permissions if code != "data.export"]
        admin.save(update_fields=["permissions"])

        assert grant_new_permissions() == ["contacts.privacy"]

        roles = {role.key: set(role.permissions) for role in Role.objects.filter(is_system=True)}
        assert "contacts.privacy" in roles["admin"]
        assert "contacts.privacy" in roles["manager"]
        assert "contacts.privacy" not in roles["sales_rep"]
        assert "data.export" not in roles["admin"]
        entry = AuditEntry.objects.get(action="role.permissions_granted")
        assert entry.details["granted"]["admin"] == ["contacts.privacy"]
        # Run again: nothing is new.
        assert grant_new_permissions() == []
        assert AuditEntry.objects.filter(action="role.permissions_granted").count() == 1


def test_a_tenant_that_never_ran_it_takes_the_codes_no_role_holds_as_new(alpha: TenantFixture) -> None:
    with alpha.active():
        _forget("marketing.send")
        PermissionCatalogue.objects.all().delete()
        custom = Role.objects.create(key="own_marketer", name="Own marketer", permissions=["marketing.view"])

        assert grant_new_permissions() == ["marketing.send"]

        assert "marketing.send" in Role.objects.get(key="admin").permissions
        assert "marketing.send" not in Role.objects.get(key="marketer").permissions  # view and change only
        custom.refresh_from_db()
        assert custom.permissions == ["marketing.view"]  # a tenant's own role is the admin's to change
        assert set(PermissionCatalogue.objects.get(pk=1).codes) == set(all_permissions())


def test_it_runs_after_a_tenant_schemas_migrations_and_not_in_the_public_schema(alpha: TenantFixture) -> None:
    with alpha.active():
        _forget("contacts.privacy")
        _grant_new_permissions()
        assert "contacts.privacy" in Role.objects.get(key="admin").permissions
    with schema_context("public"):
        before = list(PermissionCatalogue.objects.values_list("codes", flat=True))
        _grant_new_permissions()
        assert list(PermissionCatalogue.objects.values_list("codes", flat=True)) == before
