from typing import Any

from django.apps import AppConfig
from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save


def _grant_new_permissions(using: str = "default", **_kwargs: Any) -> None:
    """After a tenant schema's migrations, the built-in roles get the permissions new since the
    last run (the public schema has no roles to give them to)."""
    from django_tenants.utils import get_public_schema_name

    from identity.services.roles import grant_new_permissions

    if getattr(connection, "schema_name", get_public_schema_name()) == get_public_schema_name():
        return
    grant_new_permissions()


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        post_migrate.connect(_grant_new_permissions, sender=self, dispatch_uid="identity-grant-new-permissions")
        # A saved or deleted key, user or role retires the tenant's cached API credentials.
        from identity import credential_cache

        for name in ("ApiKey", "User", "Role"):
            model = self.get_model(name)
            post_save.connect(credential_cache.invalidate, sender=model, dispatch_uid=f"credentials-save-{name}")
            post_delete.connect(credential_cache.invalidate, sender=model, dispatch_uid=f"credentials-delete-{name}")
        # A restore puts back keys, users and roles as they were in the backup.
        from tenants.signals import tenant_restored

        tenant_restored.connect(credential_cache.invalidate, dispatch_uid="credentials-after-restore")
