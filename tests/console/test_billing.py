"""Console billing pages: revenue overview with charts, subscriptions, invoices (marked paid),
failed payments; and who may open them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.choices import InvoiceStatus, Provider, SubscriptionStatus
from billing.models import Invoice, Plan, Subscription
from billing.services.subscriptions import start_subscription, update_subscription
from identity.models import AuditEntry, User
from tenants.models import Tenant
from tests.console.conftest import OPERATOR_EMAIL, PUBLIC_HOST
from tests.tenancy import PASSWORD, TenantFixture

SS = SubscriptionStatus
MY_URLS: list[tuple[str, list[str]]] = [
    ("console:billing", []),
    ("console:subscriptions", []),
    ("console:invoices", []),
    ("console:failed-payments", []),
    ("console:stripe-events", []),
    ("console:plans", []),
    ("console:plan-new", []),
    ("console:fleet", []),
]


def public_url(name: str, args: Sequence[object] | None = None) -> str:
    """A console URL (the console lives in the public host's URLconf)."""
    return reverse(name, urlconf="crm_platform.urls_public", args=args)


def bare_tenant(slug: str) -> Tenant:
    """A tenant row without a schema: enough for public-schema billing records."""
    return Tenant.objects.create(name=f"{slug.title()} Ltd", slug=slug, schema_name=slug.replace("-", "_"))


def subscribe(
    tenant: Tenant,
    plan: str = "starter",
    *,
    status: str = SS.ACTIVE,
    provider: str = Provider.MANUAL,
    currency: str = "EUR",
    seats: int = 1,
) -> Subscription:
    return start_subscription(
        tenant,
        Plan.objects.get(key=plan),
        provider=provider,
        currency=currency,
        seats=seats,
        trial=status == SS.TRIALING,
        status=status,
        actor="test",
    )


def invoice(subscription: Subscription, number: str, **fields: object) -> Invoice:
    values: dict[str, object] = {
        "provider": subscription.provider,
        "status": InvoiceStatus.OPEN,
        "currency": subscription.currency,
        "amount_due": 5700,
        "issued_at": timezone.now() - timedelta(days=3),
        "due_at": timezone.now() + timedelta(days=11),
        **fields,
    }
    return Invoice.objects.create(subscription=subscription, number=number, **values)


def test_overview_shows_todays_figures_and_twelve_months_of_chart_data(
    operator_client: Client, alpha: TenantFixture, django_assert_max_num_queries
):
    subscribe(alpha.tenant, seats=3)  # 3 × EUR 19.00
    subscribe(bare_tenant("ron-co"), currency="RON", seats=2)  # 2 × RON 95.00
    subscribe(bare_tenant("trial-co"), status=SS.TRIALING, seats=4)

    # Sign-in and tenant routing (5), the metrics (2), the status counts (1), the bank details (1).
    with django_assert_max_num_queries(10):
        response = operator_client.get(public_url("console:billing"))

    assert response.status_code == 200
    today = response.context["today_mrr"]
    assert [(currency, str(mrr), str(arr)) for currency, mrr, arr in today] == [
        ("EUR", "57", "684"),
        ("RON", "190", "2280"),
    ]
    now = response.context["now"]
    assert (now.paying, now.seats, now.trials_started) == (2, 9, 1)
    charts = response.context["charts"]
    assert [series["label"] for series in charts["mrr"]["datasets"]] == ["EUR", "RON"]
    assert charts["mrr"]["datasets"][0]["data"][-1] == 57.0
    assert charts["arr"]["datasets"][1]["data"][-1] == 2280.0
    assert charts["seats"]["datasets"][0]["data"][-1] == 9
    # the rates' axis says percent (console-charts.js formats it so)
    assert charts["rates"]["unit"] == "percent"
    assert "unit" not in charts["mrr"]
    assert len(charts["mrr"]["labels"]) == 13
    text = response.content.decode()
    assert 'id="billing-charts"' in text
    assert json.loads(text.split('id="billing-charts" type="application/json">')[1].split("</script>")[0]) == charts
    assert "vendor/chart.umd.min.js" in text
    assert "js/console-charts.js" in text
    assert "57.00 EUR" in text
    assert "never converted" in text


def test_subscription_list_filters_by_status_plan_and_provider_and_links_the_tenant(
    operator_client: Client, alpha: TenantFixture
):
    subscribe(alpha.tenant, plan="growth", seats=2)
    subscribe(bare_tenant("stripe-co"), provider=Provider.STRIPE, status=SS.TRIALING)
    subscribe(bare_tenant("manual-co"), plan="starter")
    url = public_url("console:subscriptions")

    def slugs(query: dict[str, str]) -> set[str]:
        response = operator_client.get(url, query)
        assert response.status_code == 200
        return {row.subscription.tenant.slug for row in response.context["rows"]}

    assert slugs({}) == {"alpha", "stripe-co", "manual-co"}
    assert slugs({"status": "trialing"}) == {"stripe-co"}
    assert slugs({"plan": "growth"}) == {"alpha"}
    assert slugs({"provider": "manual"}) == {"alpha", "manual-co"}
    assert slugs({"provider": "manual", "plan": "starter"}) == {"manual-co"}
    # An unknown value filters nothing rather than failing.
    assert slugs({"status": "bogus"}) == {"alpha", "stripe-co", "manual-co"}
    response = operator_client.get(url)
    assert public_url("console:tenant", args=["alpha"]) in response.content.decode()
    alpha_row = next(row for row in response.context["rows"] if row.subscription.tenant.slug == "alpha")
    assert str(alpha_row.mrr) == "98"  # 2 seats × EUR 49.00


def test_subscription_list_queries_do_not_grow_with_rows(operator_client: Client, django_assert_max_num_queries):
    for number in range(3):
        subscribe(bare_tenant(f"few-{number}"))
    with django_assert_max_num_queries(10) as few:
        operator_client.get(public_url("console:subscriptions"))
    for number in range(12):
        subscribe(bare_tenant(f"many-{number}"), plan="growth" if number % 2 else "starter")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = operator_client.get(public_url("console:subscriptions"))
    assert len(response.context["rows"]) == 15


def test_invoice_list_filters_by_status_in_bounded_queries(operator_client: Client, django_assert_max_num_queries):
    sub = subscribe(bare_tenant("inv-co"))
    invoice(sub, "INV-1")
    invoice(sub, "INV-2", status=InvoiceStatus.PAID, paid_at=timezone.now())
    for number in range(10):
        invoice(subscribe(bare_tenant(f"inv-{number}")), f"INV-X{number}")

    with django_assert_max_num_queries(9):
        response = operator_client.get(public_url("console:invoices"))
    assert len(response.context["rows"]) == 12
    response = operator_client.get(public_url("console:invoices"), {"status": "paid"})
    assert [row["invoice"].number for row in response.context["rows"]] == ["INV-2"]
    assert "Mark paid" not in response.content.decode()


def test_mark_paid_records_the_reference_reactivates_and_is_audited(operator_client: Client, alpha: TenantFixture):
    sub = subscribe(alpha.tenant, seats=3)
    update_subscription(sub, actor="test", status=SS.PAST_DUE)
    unpaid = invoice(sub, "RO-2026-0007", due_at=timezone.now() - timedelta(days=2))
    page = operator_client.get(public_url("console:invoices")).content.decode()
    assert public_url("console:invoice-mark-paid", args=[unpaid.pk]) in page

    response = operator_client.post(
        public_url("console:invoice-mark-paid", args=[unpaid.pk]), {"reference": "BT 2026/118"}
    )

    assert response.status_code == 302
    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.payment_reference, unpaid.marked_paid_by) == (
        InvoiceStatus.PAID,
        "BT 2026/118",
        OPERATOR_EMAIL,
    )
    sub.refresh_from_db()
    assert sub.status == SS.ACTIVE
    with schema_context("public"):
        entry = AuditEntry.objects.get(action="billing.invoice.paid")
    assert entry.actor == OPERATOR_EMAIL
    assert entry.target == "invoice:RO-2026-0007"


def test_mark_paid_without_a_reference_or_on_a_card_invoice_is_refused_naming_the_field(operator_client: Client):
    manual = invoice(subscribe(bare_tenant("bank-co")), "RO-2026-0008")
    card = invoice(subscribe(bare_tenant("card-co"), provider=Provider.STRIPE), "in_card_1")

    no_reference = operator_client.post(public_url("console:invoice-mark-paid", args=[manual.pk]), {"reference": " "})
    card_invoice = operator_client.post(public_url("console:invoice-mark-paid", args=[card.pk]), {"reference": "X1"})

    assert no_reference.status_code == 400
    assert no_reference.context["refused"][:2] == (manual.pk, "reference")
    assert card_invoice.status_code == 400
    assert card_invoice.context["refused"][:2] == (card.pk, "invoice")
    assert set(Invoice.objects.filter(pk__in=[manual.pk, card.pk]).values_list("status", flat=True)) == {"open"}
    assert not AuditEntry.objects.filter(action="billing.invoice.paid").exists()


def test_failed_payments_lists_failed_and_overdue_invoices_and_past_due_grace(
    operator_client: Client, settings, django_assert_max_num_queries
):
    settings.BILLING_GRACE_DAYS = 7
    late = subscribe(bare_tenant("late-co"))
    update_subscription(late, actor="test", status=SS.PAST_DUE)
    late.refresh_from_db()
    invoice(late, "F-1", attempt_count=2, last_payment_error="Your card was declined.")
    invoice(late, "F-2", due_at=timezone.now() - timedelta(days=1))
    invoice(late, "F-3")  # open, not due, never attempted: not a failure
    invoice(late, "F-4", status=InvoiceStatus.PAID, attempt_count=1)
    subscribe(bare_tenant("fine-co"))

    with django_assert_max_num_queries(10):
        response = operator_client.get(public_url("console:failed-payments"))

    assert response.status_code == 200
    assert [row["invoice"].number for row in response.context["invoices"]] == ["F-2", "F-1"]
    [row] = response.context["subscriptions"]
    assert row.subscription.tenant.slug == "late-co"
    assert late.past_due_since is not None
    assert row.grace_ends_at == late.past_due_since + timedelta(days=7)
    assert "Your card was declined." in response.content.decode()


@pytest.mark.parametrize(("name", "args"), MY_URLS)
def test_only_operators_reach_the_billing_plan_and_fleet_pages(
    name: str, args: list[str], public_client: Client, alpha: TenantFixture
):
    url = public_url(name, args=args)
    with schema_context("public"):
        customer = User.objects.create_user(email="customer@example.test", password=PASSWORD)
    signed_in = Client(HTTP_HOST=PUBLIC_HOST)
    signed_in.force_login(customer, backend="identity.backends.EmailBackend")

    assert signed_in.get(url).status_code == 404
    anonymous = public_client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(public_url("console:login"))
    # A tenant's host has no console at all, even for the tenant's administrator.
    assert alpha.client().get(url).status_code == 404
