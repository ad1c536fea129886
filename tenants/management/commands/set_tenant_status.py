"""Move a tenant through its lifecycle from the shell (audited like every transition).

./manage.py set_tenant_status acme suspended --actor ops@relata.example --reason "unpaid since May"
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.choices import TenantStatus
from tenants.models import Tenant
from tenants.services.lifecycle import InvalidTransition, transition_tenant


class Command(BaseCommand):
    help = "Change a tenant's lifecycle status (trial, active, past_due, suspended, cancelled, deleted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("status", choices=TenantStatus.values)
        parser.add_argument("--actor", required=True, help="who makes the change, for the audit trail")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"], is_template=False).exclude(schema_name="public").first()
        if tenant is None:
            raise CommandError(f"no tenant with slug “{options['slug']}”")
        previous = tenant.status
        try:
            transition_tenant(tenant, options["status"], actor=options["actor"], reason=options["reason"])
        except InvalidTransition as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{tenant.slug}: {previous} → {tenant.status}"))
