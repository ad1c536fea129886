"""Manual invoices: amount, number, idempotency per period, bad input; the provider's changes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from billing.choices import Provider, SubscriptionStatus
from billing.models import Invoice, Plan, Subscription
from billing.providers import provider_for
from billing.providers.manual import ManualProvider, issue_invoice, mark_invoice_paid
from billing.services.lifecycle import advance_subscriptions
from billing.services.subscriptions import start_subscription
from identity.models import AuditEntry
from tenants.models import Tenant
from tests.billing.lifecycle.conftest import manual_trial
from tests.tenancy import TenantFixture


def _active_manual(fixture: TenantFixture, *, plan_key: str = "growth", seats: int = 4) -> Subscription:
    return start_subscription(
        fixture.tenant,
        Plan.objects.get(key=plan_key),
        provider=Provider.MANUAL,
        currency="EUR",
        seats=seats,
        trial=False,
        actor="ops@relata.test",
    )


def test_an_invoice_bills_the_seats_of_the_current_period_once(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = _active_manual(acme, seats=4)

    invoice = issue_invoice(subscription)
    again = issue_invoice(subscription)

    assert again.pk == invoice.pk
    assert Invoice.objects.filter(subscription=subscription).count() == 1
    assert (invoice.number, invoice.amount_due, invoice.currency, invoice.provider) == (
        "RLT-2026-000001",
        4 * 4900,
        "EUR",
        "manual",
    )
    assert (invoice.period_start, invoice.period_end) == (
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        datetime(2026, 4, 2, 9, tzinfo=UTC),
    )
    assert invoice.due_at == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert invoice.description == "Growth, 4 seats, 2 Mar 2026 – 2 Apr 2026"
    # Numbers restart with each database's invoices: narrowed to this subscription's entries.
    issued = AuditEntry.objects.filter(action="billing.invoice.issued", details__subscription=subscription.pk)
    assert list(issued.values_list("target", flat=True)) == ["invoice:RLT-2026-000001"]


def test_invoice_numbers_follow_each_other_within_a_year(
    acme: TenantFixture, globex: TenantFixture, clock: time_machine.Traveller
) -> None:
    first = issue_invoice(_active_manual(acme))
    second = issue_invoice(_active_manual(globex))
    clock.move_to(datetime(2027, 1, 5, tzinfo=UTC))
    advance_subscriptions()

    assert (first.number, second.number) == ("RLT-2026-000001", "RLT-2026-000002")
    assert sorted(Invoice.objects.filter(issued_at__year=2027).values_list("number", flat=True)) == [
        "RLT-2027-000001",
        "RLT-2027-000002",
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("trialing", "no billing period yet"),
        ("stripe", "invoiced by the card provider"),
        ("canceled", "cancelled subscription is not invoiced"),
    ],
)
def test_an_invoice_is_refused_for_a_subscription_that_is_not_billed_by_bank_transfer(
    acme: TenantFixture, setup: str, message: str
) -> None:
    if setup == "trialing":
        subscription = manual_trial(acme)
    else:
        subscription = _active_manual(acme)
        Subscription.objects.filter(pk=subscription.pk).update(
            **({"provider": Provider.STRIPE} if setup == "stripe" else {"status": SubscriptionStatus.CANCELED})
        )

    with pytest.raises(ValidationError) as error:
        issue_invoice(subscription)

    assert set(error.value.message_dict) == {"subscription"}
    assert message in error.value.message_dict["subscription"][0]
    assert not Invoice.objects.filter(subscription=subscription).exists()


def test_a_plan_change_shows_on_the_next_invoice(acme: TenantFixture, clock: time_machine.Traveller) -> None:
    subscription = _active_manual(acme, plan_key="growth", seats=2)
    mark_invoice_paid(issue_invoice(subscription), actor="ops@relata.test")
    provider = provider_for(subscription)
    assert isinstance(provider, ManualProvider)
    assert provider.checkout_url(subscription, success_url="/ok", cancel_url="/no") is None
    assert provider.portal_url(subscription, return_url="/") is None

    provider.change_plan(subscription, Plan.objects.get(key="enterprise"), interval="month", actor="owner@acme")
    provider.set_seats(subscription, 5, actor="owner@acme")
    subscription.refresh_from_db()
    assert (subscription.plan.key, subscription.seats) == ("enterprise", 5)
    assert "analytics" in Tenant.objects.get(pk=acme.tenant.pk).enabled_modules

    clock.move_to(datetime(2026, 4, 2, 10, tzinfo=UTC))
    assert advance_subscriptions() == ["acme-billing: renewed; invoice RLT-2026-000002 issued"]
    renewal = Invoice.objects.get(number="RLT-2026-000002")
    assert renewal.amount_due == 5 * 9900
    assert Invoice.objects.get(number="RLT-2026-000001").amount_due == 2 * 4900


def test_bad_seats_and_an_unpriced_plan_are_refused(acme: TenantFixture) -> None:
    subscription = _active_manual(acme, seats=2)
    provider = ManualProvider()

    with pytest.raises(ValidationError) as seats_error:
        provider.set_seats(subscription, 0, actor="owner@acme")
    Plan.objects.get(key="enterprise").prices.filter(interval="year").delete()
    with pytest.raises(ValidationError) as plan_error:
        provider.change_plan(subscription, Plan.objects.get(key="enterprise"), interval="year", actor="owner@acme")

    assert set(seats_error.value.message_dict) == {"seats"}
    assert set(plan_error.value.message_dict) == {"currency"}
    subscription.refresh_from_db()
    assert (subscription.plan.key, subscription.seats, subscription.interval) == ("growth", 2, "month")


def test_cancelling_at_the_period_end_cancels_at_the_renewal_without_an_invoice(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = _active_manual(acme)
    issue_invoice(subscription)
    ManualProvider().cancel(subscription, at_period_end=True, actor="owner@acme")
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE

    clock.move_to(datetime(2026, 4, 2, 10, tzinfo=UTC))
    assert advance_subscriptions() == ["acme-billing: period ended; cancelled as asked"]

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "cancelled"
    assert Invoice.objects.filter(subscription=subscription).count() == 1


def test_cancelling_now_cancels_now(acme: TenantFixture) -> None:
    subscription = _active_manual(acme)

    ManualProvider().cancel(subscription, at_period_end=False, actor="owner@acme")

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELED
    assert subscription.delete_after is not None
    assert Tenant.objects.get(pk=acme.tenant.pk).status == "cancelled"
    with pytest.raises(ValidationError) as error:
        ManualProvider().cancel(subscription, at_period_end=False, actor="owner@acme")
    assert set(error.value.message_dict) == {"subscription"}


# --- Concurrency: real commits, one connection per thread ---------------------------------------

CONCURRENT_SLUG = "invoicing-race"
RACE_YEAR = 2031


@pytest.fixture
def committed_subscriptions(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[Subscription]]:
    """Six committed tenants (rows only: invoices need no schema) with active manual subscriptions,
    removed afterwards with everything they left in the public schema."""
    with django_db_blocker.unblock():
        subscriptions = []
        try:
            for index in range(6):
                tenant = Tenant.objects.create(
                    name=f"Race {index}", slug=f"{CONCURRENT_SLUG}-{index}", schema_name=f"invoicing_race_{index}"
                )
                subscriptions.append(
                    start_subscription(
                        tenant,
                        Plan.objects.get(key="starter"),
                        provider=Provider.MANUAL,
                        currency="EUR",
                        trial=False,
                        actor="test",
                        now=datetime(RACE_YEAR, 1, 1, tzinfo=UTC),
                    )
                )
            yield subscriptions
        finally:
            connection.set_schema_to_public()
            AuditEntry.objects.filter(target__startswith=f"invoice:RLT-{RACE_YEAR}-").delete()
            Tenant.objects.filter(slug__startswith=CONCURRENT_SLUG).delete()


def test_concurrent_issuers_never_share_a_number(committed_subscriptions: list[Subscription]) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(committed_subscriptions))

    def issue(subscription: Subscription) -> None:
        try:
            start.wait(timeout=30)
            numbers.append(issue_invoice(subscription, now=datetime(RACE_YEAR, 1, 1, 12, tzinfo=UTC)).number)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(subscription,)) for subscription in committed_subscriptions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(numbers) == [f"RLT-{RACE_YEAR}-{index:06d}" for index in range(1, 7)]
