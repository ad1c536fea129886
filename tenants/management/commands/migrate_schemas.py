"""django-tenants' migrate_schemas, limited to tenants whose schema has been built.

A tenant still in the ``requested`` provisioning state has no schema yet (or a failed one that
was dropped); migrating it would fail the whole fleet run. Provisioning migrates it itself.
``--executor multiprocessing`` migrates the fleet in parallel.
"""

from typing import Any

from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name

from tenants.choices import ProvisioningState
from tenants.models import Tenant


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        SyncCommon.handle(self, *args, **options)
        if self.schema_name or not self.sync_tenant:
            super().handle(*args, **options)
            return
        if self.sync_public:
            super().handle(*args, **{**options, "shared": True, "tenant": False})
        schemas = list(
            Tenant.objects.exclude(schema_name=get_public_schema_name())
            .exclude(provisioning_state=ProvisioningState.REQUESTED)
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )
        get_executor(codename=self.executor)(args, options).run_migrations(tenants=schemas)
