"""Restore a tenant backup into the same tenant (--into) or as a new tenant (--as-new)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant
from tenants.services.backup import BackupError, restore_as_new_tenant, restore_tenant


class Command(BaseCommand):
    help = "Restore a backup: manage.py restore_tenant <file.tar> (--into <slug> | --as-new <slug>)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--into", help="the tenant the backup was made of")
        target.add_argument("--as-new", help="the slug of a new tenant to create from the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["into"]:
                tenant = Tenant.objects.filter(slug=options["into"]).first()
                if tenant is None:
                    raise CommandError(f"No tenant {options['into']!r}.")
                files = restore_tenant(options["path"], tenant)
                self.stdout.write(f"Restored {tenant.slug} ({files} files).")
            else:
                tenant = restore_as_new_tenant(options["path"], slug=options["as_new"])
                self.stdout.write(f"Restored the backup as the new tenant {tenant.slug} ({tenant.schema_name}).")
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        except BackupError as error:
            raise CommandError(str(error)) from error
