"""factory_boy factories for the CRM records. Use inside ``TenantFixture.active()`` (or any tenant
context): rows land in the active schema. They write through the ORM, not the services, so a test
can set up any state directly; tests of behaviour call the services."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact, Tag, TimelineEntry
from modules.sales.models import Deal, Lead, Pipeline, Product, Stage
from modules.sales.services.pipelines import default_pipeline, first_open_stage


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n:05}")
    email = factory.Sequence(lambda n: f"office{n}@company.example")
    city = "Cluj-Napoca"
    country = "RO"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Person{n:05}")
    last_name = "Tester"
    email = factory.Sequence(lambda n: f"person{n}@people.example")


class LeadFactory(factory.django.DjangoModelFactory[Lead]):
    class Meta:
        model = Lead

    first_name = factory.Sequence(lambda n: f"Prospect{n:05}")
    last_name = "Lead"
    company_name = factory.Sequence(lambda n: f"Prospect Co {n:05}")
    email = factory.Sequence(lambda n: f"prospect{n}@leads.example")


def _default_stage() -> Stage:
    pipeline = default_pipeline()
    assert pipeline is not None, "the tenant has no pipeline (seed_sales runs at provisioning)"
    return first_open_stage(pipeline)


class DealFactory(factory.django.DjangoModelFactory[Deal]):
    class Meta:
        model = Deal

    name = factory.Sequence(lambda n: f"Deal {n:05}")
    stage = factory.LazyFunction(_default_stage)
    pipeline = factory.LazyAttribute(lambda deal: deal.stage.pipeline)
    amount = Decimal("1000.00")
    currency = "EUR"


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    kind = ActivityKind.TASK
    subject = factory.Sequence(lambda n: f"Activity {n:05}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=1))


class TimelineEntryFactory(factory.django.DjangoModelFactory[TimelineEntry]):
    class Meta:
        model = TimelineEntry

    kind = "updated"
    data = factory.LazyFunction(dict)


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n:04}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05}")
    unit_price = Decimal("100.00")
    tax_rate = Decimal("19.00")


class PipelineFactory(factory.django.DjangoModelFactory[Pipeline]):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")
