"""Create and provision a tenant from the shell.

./manage.py create_tenant --name "Acme" --slug acme --admin-email boss@acme.test --admin-password ...
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from modules.registry import OPTIONAL_MODULE_KEYS, UnknownModule, validate_module_keys
from tenants.services.provisioning import TenantRequest, ensure_template_tenant, provision_tenant, request_tenant
from tenants.services.public import ensure_public_tenant
from tenants.tasks import provision_tenant_task


class Command(BaseCommand):
    help = "Create a tenant and provision its schema (inline, or in Celery with --async)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="host label: <slug>.BASE_DOMAIN")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", help="leave out to have the admin use password reset")
        parser.add_argument("--locale", default="en")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--status", default="trial", choices=["trial", "active"])
        parser.add_argument(
            "--modules",
            default=",".join(OPTIONAL_MODULE_KEYS),
            help=f"comma-separated optional modules ({', '.join(OPTIONAL_MODULE_KEYS)})",
        )
        parser.add_argument("--async", dest="run_async", action="store_true", help="provision in a Celery worker")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            modules = validate_module_keys([m for m in options["modules"].split(",") if m])
        except UnknownModule as error:
            raise CommandError(f"unknown modules: {error}") from error
        ensure_public_tenant()
        if settings.TENANT_PROVISIONING_METHOD == "clone":
            ensure_template_tenant()
        try:
            tenant = request_tenant(
                TenantRequest(
                    name=options["name"],
                    slug=options["slug"],
                    admin_email=options["admin_email"],
                    admin_password=options["admin_password"],
                    locale=options["locale"],
                    currency=options["currency"],
                    time_zone=options["time_zone"],
                    status=options["status"],
                    enabled_modules=tuple(modules),
                )
            )
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CommandError(details) from error
        if options["run_async"]:
            provision_tenant_task.delay(tenant.pk)
            self.stdout.write(f"tenant {tenant.slug} requested; a worker is provisioning it")
            return
        provision_tenant(tenant.pk)
        self.stdout.write(self.style.SUCCESS(f"tenant {tenant.slug} is ready at http://{tenant.primary_host}/"))
