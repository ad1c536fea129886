"""A manual (bank transfer) subscription over time, from signup to deletion, on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists

from billing.choices import InvoiceStatus, SubscriptionStatus
from billing.models import Invoice, Subscription
from billing.services.lifecycle import advance_subscriptions
from identity.models import AuditEntry, Team
from tenants.models import Domain, Tenant, TenantStatusChange
from tests.billing.lifecycle.conftest import OWNER_EMAIL, REP_EMAIL, banner_of, flush_deferred_constraints, manual_trial
from tests.tenancy import TenantFixture


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_an_unpaid_manual_subscription_goes_from_trial_to_deletion(
    acme: TenantFixture, clock: time_machine.Traveller
) -> None:
    subscription = manual_trial(acme, plan_key="growth", seats=3)  # 14-day trial from 2 March 09:00

    # Signed in afresh at each step: a session from weeks ago has expired.
    def owner() -> Client:
        return acme.client(OWNER_EMAIL)

    def rep() -> Client:
        return acme.client(REP_EMAIL)

    # On trial: everyone sees the days left, only the admin is offered plans.
    trial_banner = "Your free trial ends in 14 days (16 Mar 2026)."
    assert banner_of(owner().get("/")) == f"{trial_banner} Choose a plan [/settings/billing/]"
    assert banner_of(rep().get("/")) == trial_banner
    assert advance_subscriptions() == []

    # Three days before the end, the admins (not the sales rep) are reminded, once.
    clock.move_to(at(3, 13, 10))
    assert advance_subscriptions() == []
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([OWNER_EMAIL], "Your Relata trial for Acme Billing Ltd ends soon")
    ]
    assert "ends on 16 Mar 2026" in mail.outbox[0].body
    assert "Your free trial ends in 3 days" in banner_of(owner().get("/"))

    # The trial ends: the first period starts where the trial stopped, and its invoice is issued.
    clock.move_to(at(3, 16, 10))
    assert advance_subscriptions() == ["acme-billing: trial ended; invoice RLT-2026-000001 issued"]
    subscription.refresh_from_db()
    assert (subscription.status, subscription.current_period_start, subscription.current_period_end) == (
        SubscriptionStatus.ACTIVE,
        at(3, 16, 9),
        at(4, 16, 9),
    )
    invoice = Invoice.objects.get(subscription=subscription)
    assert (invoice.number, invoice.status, invoice.amount_due, invoice.currency, invoice.due_at) == (
        "RLT-2026-000001",
        InvoiceStatus.OPEN,
        3 * 4900,
        "EUR",
        at(3, 30, 10),
    )
    invoice_mail = mail.outbox[-1]
    assert (invoice_mail.to, invoice_mail.subject) == ([OWNER_EMAIL], "Invoice RLT-2026-000001 for Acme Billing Ltd")
    for expected in ("147.00 EUR", "30 Mar 2026", "IBAN RO49 AAAA 1B31 0075 9384 0000", "Reference: RLT-2026-000001"):
        assert expected in invoice_mail.body
    assert banner_of(owner().get("/")) is None

    # Unpaid past the due date: past due since that date, the admins told until when to pay.
    clock.move_to(at(3, 30, 11))
    assert advance_subscriptions() == ["acme-billing: invoice RLT-2026-000001 overdue; past due"]
    subscription.refresh_from_db()
    assert (subscription.status, subscription.past_due_since) == (SubscriptionStatus.PAST_DUE, at(3, 30, 10))
    assert mail.outbox[-1].subject == "Payment overdue for Acme Billing Ltd"
    assert "Please pay by 13 Apr 2026" in mail.outbox[-1].body
    assert "Please pay by 13 Apr 2026" in banner_of(owner().get("/"))
    assert owner().post("/settings/teams/new/", {"name": "Still writable", "description": ""}).status_code == 302
    with acme.active():
        assert Team.objects.filter(name="Still writable").exists()

    # An hour before the grace period ends nothing changes; after it the tenant is read-only.
    clock.move_to(at(4, 13, 9))
    assert advance_subscriptions() == []
    clock.move_to(at(4, 13, 11))
    assert advance_subscriptions() == ["acme-billing: grace period over; tenant suspended"]
    assert mail.outbox[-1].subject == "Acme Billing Ltd is suspended: payment needed"
    page = owner().get("/")
    assert page.status_code == 200
    assert "is suspended" in banner_of(page)
    assert banner_of(page).endswith("See how to pay [/settings/billing/]")
    refused = owner().post("/settings/teams/new/", {"name": "Night shift", "description": ""})
    assert refused.status_code == 403
    with acme.active():
        assert not Team.objects.filter(name="Night shift").exists()

    # While suspended, the period that ended on 16 April is not renewed (no second invoice).
    clock.move_to(at(5, 13, 10))
    assert advance_subscriptions() == []
    assert Invoice.objects.filter(subscription=subscription).count() == 1

    # Suspended for 30 days: cancelled, data kept 90 days, the export offered to the admins.
    clock.move_to(at(5, 13, 11))
    assert advance_subscriptions() == ["acme-billing: suspended too long; cancelled"]
    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancelled_at, subscription.delete_after) == (
        SubscriptionStatus.CANCELED,
        at(5, 13, 11),
        at(8, 11, 11),
    )
    cancelled_mail = mail.outbox[-1]
    assert cancelled_mail.subject == "The subscription of Acme Billing Ltd is cancelled"
    assert "kept until 11 Aug 2026" in cancelled_mail.body
    assert "http://acme-billing.localhost/exports/tenant/" in cancelled_mail.body
    owner_banner = banner_of(owner().get("/"))
    assert "Your data is kept until 11 Aug 2026." in owner_banner
    assert owner_banner.endswith("Export all data [/exports/tenant/]")
    assert "Export all data" not in banner_of(rep().get("/"))
    assert owner().get("/exports/tenant/").status_code == 200

    # The retention period is over: the data goes, the tenant's row and history stay.
    clock.move_to(at(8, 11, 12))
    flush_deferred_constraints()
    assert advance_subscriptions() == ["acme-billing: retention period over; tenant deleted"]
    tenant = Tenant.objects.get(slug="acme-billing")
    assert tenant.status == "deleted"
    assert not schema_exists(tenant.schema_name)
    assert not Domain.objects.filter(tenant=tenant).exists()
    assert Client(HTTP_HOST=acme.host).get("/login/").status_code == 404
    assert Subscription.objects.filter(tenant=tenant).exists()
    assert list(
        TenantStatusChange.objects.filter(tenant=tenant).order_by("id").values_list("from_status", "to_status")
    ) == [
        ("trial", "active"),
        ("active", "past_due"),
        ("past_due", "suspended"),
        ("suspended", "cancelled"),
        ("cancelled", "deleted"),
    ]
    connection.set_schema_to_public()  # the last request left the connection on the (dropped) schema
    assert [m.subject for m in mail.outbox] == [
        "Your Relata trial for Acme Billing Ltd ends soon",
        "Invoice RLT-2026-000001 for Acme Billing Ltd",
        "Payment overdue for Acme Billing Ltd",
        "Acme Billing Ltd is suspended: payment needed",
        "The subscription of Acme Billing Ltd is cancelled",
    ]
    lifecycle_entries = AuditEntry.objects.filter(action__startswith="billing.lifecycle.").order_by("id")
    assert list(lifecycle_entries.values_list("action", flat=True)) == [
        "billing.lifecycle.end_trial",
        "billing.lifecycle.mark_overdue",
        "billing.lifecycle.suspend_after_grace",
        "billing.lifecycle.cancel_after_suspension",
        "billing.lifecycle.delete_after_retention",
    ]
    assert AuditEntry.objects.filter(action="tenant.deleted", target="tenant:acme-billing").exists()
    assert advance_subscriptions() == []
