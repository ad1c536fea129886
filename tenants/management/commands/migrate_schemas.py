"""django-tenants' migrate_schemas, limited to tenants whose schema has been built.

A tenant still in the ``requested`` provisioning state has no schema yet (or a failed one that
was dropped); migrating it would fail the whole fleet run. Provisioning migrates it itself.
``--executor multiprocessing`` migrates the fleet in parallel.

Each tenant's state is kept on its row and a failing tenant does not stop the others
(``tenants.services.fleet_migrations``); the command fails at the end, naming the tenants that
failed, and running it again resumes them.
"""

from typing import Any

from django.core.management.base import CommandError
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.utils import get_public_schema_name

from tenants.choices import ProvisioningState
from tenants.models import Tenant
from tenants.services.fleet_migrations import FAILED, MIGRATED, UP_TO_DATE, migrate_fleet


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
        outcomes = migrate_fleet(schemas, args=args, options=options, parallel=self.executor == "multiprocessing")
        counts = {result: sum(1 for o in outcomes if o.result == result) for result in (UP_TO_DATE, MIGRATED, FAILED)}
        self.stdout.write(
            f"Tenants: {counts[MIGRATED]} migrated, {counts[UP_TO_DATE]} already up to date, {counts[FAILED]} failed."
        )
        failed = [outcome for outcome in outcomes if outcome.result == FAILED]
        if failed:
            for outcome in failed:
                last_line = outcome.error.strip().splitlines()[-1] if outcome.error.strip() else ""
                self.stderr.write(f"{outcome.schema_name}: {last_line}")
            raise CommandError(
                f"{len(failed)} tenant(s) failed to migrate: {', '.join(o.schema_name for o in failed)}. "
                "The others were migrated; run the command again (or retry in the console) to resume."
            )
