"""Back up one tenant (its schema, its shared rows, its files) to a tar file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant
from tenants.services.backup import BackupError, backup_tenant


class Command(BaseCommand):
    help = "Back up one tenant to a file: manage.py backup_tenant <slug> <file.tar>"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        try:
            summary = backup_tenant(tenant, options["path"])
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up {tenant.slug} ({summary.files} files, {summary.size} bytes) to {summary.path}.")
