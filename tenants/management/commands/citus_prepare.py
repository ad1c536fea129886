"""Print (or run, on a Citus coordinator) what gives this database Citus schema-based sharding:
shared tables as reference tables, tenant schemas distributed. Stops when the schema breaks a rule
Citus enforces (``tenants.citus.schema_problems``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tenants.citus import preparation_sql, schema_problems
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Print the SQL that distributes tenant schemas with Citus (--execute runs it on the coordinator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--execute", action="store_true", help="run the statements (needs the citus extension)")

    def handle(self, *args: Any, **options: Any) -> None:
        schemas = [
            *Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True),
            settings.TENANT_TEMPLATE_SCHEMA,
        ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [schemas])
            existing = [row[0] for row in cursor.fetchall()]
        problems = schema_problems(connection, existing)
        if problems:
            raise CommandError("Citus would refuse this schema:\n" + "\n".join(f"- {p}" for p in problems))
        statements = preparation_sql(connection, existing, connection.settings_dict["NAME"])
        if not options["execute"]:
            self.stdout.write("\n".join(statements))
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
            if cursor.fetchone() is None:
                raise CommandError("The citus extension is not installed in this database.")
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Ran {len(statements)} statements.")
