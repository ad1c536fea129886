"""Make sure the public tenant, the template and the demo tenant (with its sample data) exist; print how to log in."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import tenant_context

from identity.models import User
from modules.contacts.demo.seed import load_demo_data
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, ensure_template_tenant, provision_tenant, request_tenant
from tenants.services.public import ensure_public_tenant

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"


class Command(BaseCommand):
    help = "Create the demo tenant (idempotent) and print its URL and credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--slug", default=DEMO_SLUG, help="The demo tenant's subdomain (default: demo).")

    def handle(self, *args: Any, **options: Any) -> None:
        ensure_public_tenant()
        ensure_template_tenant()
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "relata-demo-2026")
        slug = options["slug"]
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = request_tenant(
                TenantRequest(
                    name="Demo Company",
                    slug=slug,
                    admin_email=DEMO_ADMIN_EMAIL,
                    admin_password=password,
                    status="active",
                    enabled_modules=OPTIONAL_MODULE_KEYS,
                )
            )
        if not tenant.is_ready:
            provision_tenant(tenant.pk)
            with tenant_context(tenant):
                User.objects.filter(email=DEMO_ADMIN_EMAIL, full_name="").update(full_name="Dana Admin")
        with tenant_context(tenant):
            # Only into a tenant without companies: a second `make run` keeps what is there.
            summary = load_demo_data(password=password)
        if summary is not None:
            counts = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in summary.counts.items())
            self.stderr.write(f"Demo data loaded in {summary.seconds:.1f} s: {counts}.")
        tenant_connection().set_schema_to_public()
        port = options["port"]
        suffix = "" if port in {"80", ""} else f":{port}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "  Relata is ready.",
                    f"  Demo tenant:  http://{slug}.{settings.BASE_DOMAIN}{suffix}/",
                    f"  Sign in as:   {DEMO_ADMIN_EMAIL}",
                    f"  Password:     {password}",
                    f"  Public site:  http://{settings.BASE_DOMAIN}{suffix}/",
                    "",
                ]
            )
        )
