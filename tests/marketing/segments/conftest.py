"""Segment test data: a few contacts whose fields and related records cover every condition kind,
built once per test (factories, not services, so no events are written while setting up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from customization.events.models import DomainEvent
from modules.contacts.models import Contact, Tag
from modules.sales.choices import DealStatus, OrderStatus
from modules.sales.models import Order
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory, TagFactory
from tests.tenancy import TenantFixture

_numbers = count(1)


def make_order(contact: Contact, *, total: str, days_ago: int, currency: str = "EUR", **values: Any) -> Order:
    return Order.objects.create(
        number=f"T-{next(_numbers):06}",
        contact=contact,
        company=contact.company,
        total=Decimal(total),
        currency=currency,
        ordered_on=timezone.localdate() - timedelta(days=days_ago),
        **values,
    )


@dataclass
class People:
    ana: Contact
    bob: Contact
    cleo: Contact
    dan: Contact
    eve: Contact
    vip: Tag
    cold: Tag

    def all(self) -> list[Contact]:
        return [self.ana, self.bob, self.cleo, self.dan, self.eve]


def build_people() -> People:
    acme = CompanyFactory(name="Acme", industry="Software", employee_count=250, city="Paris")
    tiny = CompanyFactory(name="Tiny", industry="Retail", employee_count=4, city="Lyon")
    vip, cold = TagFactory(name="vip"), TagFactory(name="cold")
    now = timezone.now()
    ana = ContactFactory(first_name="Ana", email="ana@example.com", city="Paris", company=acme, source="website")
    bob = ContactFactory(first_name="Bob", email="bob@example.org", city="Berlin", company=tiny, source="referral")
    cleo = ContactFactory(first_name="Cleo", email="cleo@example.com", city="", company=None, source="")
    dan = ContactFactory(first_name="Dan", email="", city="paris", company=acme, source="event")
    eve = ContactFactory(first_name="Eve", email="eve@example.net", city="Rome", company=None, source="website")
    ana.tags.add(vip)
    bob.tags.add(vip, cold)
    dan.tags.add(cold)
    # Activities: Ana called 5 days ago, Bob had a meeting 40 days ago, Dan has a task due next week.
    ActivityFactory(contact=ana, kind="call", due_at=now - timedelta(days=5))
    ActivityFactory(contact=bob, kind="meeting", due_at=now - timedelta(days=40))
    ActivityFactory(contact=dan, kind="task", due_at=now + timedelta(days=7))
    # Deals: Ana has an open deal of 500 EUR, Bob won 5000 EUR, Eve lost one.
    DealFactory(contact=ana, amount=Decimal("500"), status=DealStatus.OPEN)
    DealFactory(contact=bob, amount=Decimal("5000"), status=DealStatus.WON)
    DealFactory(contact=eve, amount=Decimal("9000"), status=DealStatus.LOST)
    # Orders: Ana twice recently (300 + 900 EUR), Bob once long ago (2000 EUR), Cleo's order cancelled.
    make_order(ana, total="300", days_ago=3)
    make_order(ana, total="900", days_ago=20)
    make_order(bob, total="2000", days_ago=200)
    make_order(cleo, total="5000", days_ago=2, status=OrderStatus.CANCELLED)
    # Leads: Eve came from a website lead, Dan from an event lead; a lead not converted.
    LeadFactory(source="website", converted_contact=eve, converted_at=now)
    LeadFactory(source="event", converted_contact=dan, converted_at=now)
    LeadFactory(source="website")
    DomainEvent.objects.all().delete()
    return People(ana=ana, bob=bob, cleo=cleo, dan=dan, eve=eve, vip=vip, cold=cold)


@pytest.fixture
def people(alpha: TenantFixture) -> People:
    with alpha.active():
        return build_people()
