"""Make sure the public tenant, the template and the demo tenant (with its sample data) exist; print how to log in."""

import os
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.providers.manual import issue_invoice, mark_invoice_paid
from billing.services.subscriptions import next_period_end, start_subscription, update_subscription
from identity.models import User
from identity.services.operators import ensure_operator
from modules.contacts.demo.seed import load_demo_data
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.db import tenant_connection
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, ensure_template_tenant, provision_tenant, request_tenant
from tenants.services.public import ensure_public_tenant

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"
DEMO_OPERATOR_EMAIL = "operator@demo.example"


def ensure_demo_subscription(tenant: Tenant) -> None:
    """The demo tenant pays for the Enterprise plan by bank transfer (the manual provider): it started
    40 days ago, its first invoice is paid and the current period's is open."""
    if Subscription.objects.filter(tenant=tenant).exists():
        return
    with tenant_context(tenant):
        seats = max(1, User.objects.filter(is_active=True).count())
    tenant_connection().set_schema_to_public()
    started = timezone.now() - timedelta(days=40)
    with transaction.atomic():
        subscription = start_subscription(
            tenant,
            Plan.objects.get(key="enterprise"),
            provider=Provider.MANUAL,
            currency=tenant.currency,
            seats=seats,
            trial=False,
            actor="system:demo",
            now=started,
        )
        mark_invoice_paid(issue_invoice(subscription, now=started), actor="system:demo", reference="DEMO-0001")
        renewed = subscription.current_period_end or timezone.now()
        subscription = update_subscription(
            subscription,
            actor="system:demo",
            reason="renewed",
            now=renewed,
            current_period_start=renewed,
            current_period_end=next_period_end(renewed, subscription.interval),
        )
        issue_invoice(subscription, now=renewed)


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
        tenant_connection().set_schema_to_public()
        ensure_demo_subscription(tenant)
        ensure_operator(DEMO_OPERATOR_EMAIL, password)
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
                    f"  Public site:  http://{settings.BASE_DOMAIN}{suffix}/  (sign up a new company there)",
                    f"  Console:      http://{settings.BASE_DOMAIN}{suffix}/console/",
                    f"  Operator:     {DEMO_OPERATOR_EMAIL} (same password)",
                    "",
                ]
            )
        )
