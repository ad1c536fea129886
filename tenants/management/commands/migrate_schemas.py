"""django-tenants' migrate_schemas, limited to tenants whose schema has been built, and run in
one process with the migration graph and each plan's project states loaded once.

A tenant still in the ``requested`` provisioning state has no schema yet (or a failed one that
was dropped); migrating it would fail the whole fleet run. Provisioning migrates it itself.
``--executor multiprocessing`` shares the fleet out to forked worker processes.

Each tenant's state is kept on its row and a failing tenant does not stop the others
(``tenants.services.fleet_migrations``); the command fails at the end, naming the tenants that
failed, and running it again resumes them. Runs that need Django's own command (a target
migration, ``--fake``, ``--plan``, ``--prune``, ``--check``, ``--run-syncdb``) and the public
schema go through django-tenants unchanged.
"""

from typing import Any

from django.core.management.base import CommandError
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.utils import get_public_schema_name, schema_exists

from tenants.choices import ProvisioningState
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services import spare_schemas
from tenants.services.fleet_migrations import FAILED, MIGRATED, UP_TO_DATE, migrate_fleet
from tenants.services.provisioning import queue_spare_refill
from tenants.services.schema_migrations import migrate_schema

# Options that only Django's migrate command implements.
DJANGO_ONLY_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune", "run_syncdb")


class Command(MigrateSchemasCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        SyncCommon.handle(self, *args, **options)
        verbosity = int(options.get("verbosity", 1))
        django_only = any(options.get(name) for name in DJANGO_ONLY_OPTIONS) or options.get("check_unapplied")
        if django_only or not self.sync_tenant or self.schema_name == get_public_schema_name():
            super().handle(*args, **options)
            return
        if self.schema_name:
            if not schema_exists(self.schema_name):
                raise CommandError(f'Schema "{self.schema_name}" does not exist')
            applied = migrate_schema(tenant_connection(), self.schema_name)
            if verbosity >= 1:
                self.stdout.write(f"{self.schema_name}: {', '.join(applied) if applied else 'up to date'}")
            return
        if self.sync_public:
            super().handle(*args, **{**options, "shared": True, "tenant": False})
        schemas = list(
            Tenant.objects.exclude(schema_name=get_public_schema_name())
            .exclude(provisioning_state=ProvisioningState.REQUESTED)
            .order_by("schema_name")
            .values_list("schema_name", flat=True)
        )
        outcomes = migrate_fleet(schemas, verbosity=verbosity, parallel=self.executor == "multiprocessing")
        counts = {result: sum(1 for o in outcomes if o.result == result) for result in (UP_TO_DATE, MIGRATED, FAILED)}
        self.stdout.write(
            f"Tenants: {counts[MIGRATED]} migrated, {counts[UP_TO_DATE]} already up to date, {counts[FAILED]} failed."
        )
        self._renew_stale_spares(verbosity)
        failed = [outcome for outcome in outcomes if outcome.result == FAILED]
        if failed:
            for outcome in failed:
                last_line = outcome.error.strip().splitlines()[-1] if outcome.error.strip() else ""
                self.stderr.write(f"{outcome.schema_name}: {last_line}")
            raise CommandError(
                f"{len(failed)} tenant(s) failed to migrate: {', '.join(o.schema_name for o in failed)}. "
                "The others were migrated; run the command again (or retry in the console) to resume."
            )

    def _renew_stale_spares(self, verbosity: int) -> None:
        """Spare schemas are not tenants, so the fleet run did not migrate them: the ones lacking a
        migration are dropped, and a refill clones new ones from the template just migrated."""
        dropped = spare_schemas.discard_stale()
        if dropped:
            queue_spare_refill()
        if verbosity >= 1 and dropped:
            self.stdout.write(f"Spare schemas: {len(dropped)} stale, discarded; a refill is queued.")
