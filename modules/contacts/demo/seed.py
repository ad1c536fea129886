"""The demo tenant's sample data: a believable sales team and six months of its work.

``load_demo_data()`` fills the current tenant schema with users and teams, companies, contacts,
tags, leads, deals in two pipelines (with their stage history), activities and follow-up chains,
timeline entries, products, quotes, two years of orders, exchange rates and quotas, plus custom fields with values and
two workflow rules. It writes with bulk inserts (a few
seconds in `make run`), in one transaction, and only into a tenant that has no companies yet, so
running it again changes nothing. Random choices come from a fixed seed: the same records every
time, dated relative to today so the pipeline always looks current.

The rows are written with the models directly, not through the services (which write one row at a
time), so this module keeps the invariants the services keep: ``full_name`` joined from the name
parts, deal status matching the stage kind, ``closed_at`` on won and lost deals, a lost reason on
every lost deal, one ``DealStageChange`` per move and a timeline entry for everything that happened.
"""

from __future__ import annotations

import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import translation
from django.utils.module_loading import import_string

from customization.fields.models import CustomFieldDefinition
from customization.workflows.models import WorkflowRule
from identity.models import Team, User
from modules.activities.models import Activity
from modules.contacts.demo.activities import ActivityRecords
from modules.contacts.demo.builder import DemoSize, DemoSummary, bulk_create
from modules.contacts.demo.customers import CustomerRecords
from modules.contacts.demo.customization import CustomizationRecords
from modules.contacts.demo.orders import OrderRecords
from modules.contacts.demo.sales import SalesRecords
from modules.contacts.models import Company, Contact, ExchangeRate, Tag, TimelineEntry
from modules.registry import MODULES
from modules.sales.models import (
    Deal,
    DealStageChange,
    Lead,
    Order,
    Product,
    Quota,
    Quote,
)
from modules.sales.services.pipelines import seed_sales


def load_demo_data(*, password: str | None = None, size: DemoSize | None = None) -> DemoSummary | None:
    """Fill the current tenant with the demo data; None (and nothing written) if it has companies already.

    ``password`` is the password of the demo's users (they cannot sign in when None).
    """
    started = time.perf_counter()
    locale = getattr(getattr(connection, "tenant", None), "locale", "en") or "en"
    with transaction.atomic(), translation.override(locale):
        with connection.cursor() as cursor:
            # Two `make run`s at once must not both see an empty tenant.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('relata-demo-data'))")
        if Company.objects.exists():
            return None
        builder = DemoBuilder(size or DemoSize(), password_hash=make_password(password) if password else None)
        summary = builder.build()
        for module in MODULES:
            if module.demo:
                # The other modules' demo parts (analyses computed, saved reports) read these records.
                import_string(module.demo)()
    summary.seconds = time.perf_counter() - started
    return summary


class DemoBuilder(CustomerRecords, SalesRecords, OrderRecords, ActivityRecords, CustomizationRecords):
    """Builds the records in memory, in the order their foreign keys need, and inserts them in bulk."""

    def build(self) -> DemoSummary:
        seed_sales()
        self.users()
        self.tags_()
        self.companies()
        self.contacts()
        self.pipelines()
        self.deals()
        self.leads()
        self.activities()
        self.catalog_and_quotes()
        self.orders()
        self.rates_and_quotas()
        bulk_create(TimelineEntry, self.timeline)
        self.custom_fields()
        self.workflow_rules()
        return DemoSummary(
            counts={
                "users": User.objects.count(),
                "teams": Team.objects.count(),
                "tags": Tag.objects.count(),
                "companies": Company.objects.count(),
                "contacts": Contact.objects.count(),
                "leads": Lead.objects.count(),
                "deals": Deal.objects.count(),
                "stage_changes": DealStageChange.objects.count(),
                "activities": Activity.objects.count(),
                "timeline_entries": TimelineEntry.objects.count(),
                "products": Product.objects.count(),
                "quotes": Quote.objects.count(),
                "orders": Order.objects.count(),
                "quotas": Quota.objects.count(),
                "exchange_rates": ExchangeRate.objects.count(),
                "custom_fields": CustomFieldDefinition.objects.count(),
                "workflow_rules": WorkflowRule.objects.count(),
            }
        )
