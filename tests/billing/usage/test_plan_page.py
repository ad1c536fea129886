"""Settings → Plan and usage: what the tenant admin sees (plan, status, modules, usage against
limits, invoices), who may see it, and that it shows the own tenant's figures and invoices only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from billing.bank_details import save_bank_details
from billing.choices import InvoiceStatus, Provider
from billing.models import Invoice, Subscription
from billing.providers.manual import issue_invoice
from billing.services.subscriptions import update_subscription
from billing.usage import count_usage
from tests.billing.usage.conftest import subscribe
from tests.billing.usage.pages import Element, read_page
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

PAGE = "/settings/billing/"


def page(fixture: TenantFixture, client: Client | None = None) -> Element:
    response = (client or fixture.client()).get(PAGE)
    assert response.status_code == 200, response.content
    return read_page(response.content)


def usage_of(soup: Element) -> dict[str, tuple[str, str]]:
    return {row["data-usage"]: (row["data-used"], row["data-limit"]) for row in soup.all("usage-row")}


def stripe_invoice(subscription: Subscription, number: str, **fields: object) -> Invoice:
    values: dict[str, object] = {
        "subscription": subscription,
        "provider": Provider.STRIPE,
        "number": number,
        "currency": subscription.currency,
        "amount_due": 5700,
        "issued_at": timezone.now(),
    }
    values.update(fields)
    return Invoice.objects.create(**values)


def test_the_admin_sees_plan_modules_usage_and_invoices(alpha: TenantFixture) -> None:
    save_bank_details("Relata Platform SRL\nIBAN RO49 AAAA 1B31 0075 9384 0000", actor="ops@relata.test")
    subscription = subscribe(alpha, plan="starter", currency="RON", seats=3)
    with alpha.active():
        CompanyFactory.create_batch(2)
    manual = issue_invoice(subscription)
    paid = stripe_invoice(
        subscription, "IN-0001", status=InvoiceStatus.PAID, amount_paid=5700, paid_at=timezone.now(),
        hosted_invoice_url="https://invoice.stripe.test/i/1",
    )  # fmt: skip
    client = alpha.client()  # signing in writes to the schema: before counting its size
    usage = count_usage(alpha.tenant)

    soup = page(alpha, client)

    assert soup.one("plan-name").text == "Starter"
    assert soup.one("plan-status").text == "Active"
    assert soup.one("billed-seats").text == "3"
    assert soup.one("currency-interval").text == "RON, Monthly"
    assert soup.one("price").text == "95.00 RON per seat, 285.00 RON for 3 seats"
    modules = {item.text.split(" (")[0]: item["data-included"] for item in soup.all("module")}
    assert modules == {"Sales": "yes", "Marketing": "no", "Service": "no", "Analytics": "no"}
    assert usage_of(soup) == {
        "seats": (str(usage.seats), "5"),
        "records": (str(usage.records), "10000"),
        "api_requests": ("0", "10000"),
        "storage": (str(usage.storage_bytes), str(1024 * 1024 * 1024)),
        "workflow_runs": ("0", "1000"),
    }
    figures = {row["data-usage"]: row.one("usage-figure").text for row in soup.all("usage-row")}
    assert figures["api_requests"] == "0 / 10,000"
    rows = {row["data-invoice"]: row for row in soup.all("invoice-row")}
    assert set(rows) == {manual.number, paid.number}
    assert rows[manual.number].one("invoice-amount").text == "285.00 RON"
    assert f"Reference: {manual.number}" in rows[manual.number].text
    assert rows[paid.number].one("hosted-invoice")["href"] == "https://invoice.stripe.test/i/1"
    assert "IBAN RO49 AAAA 1B31 0075 9384 0000" in soup.one("bank-details").text
    assert not soup.has("usage-warning")


def test_statuses_say_until_or_since_when(alpha: TenantFixture) -> None:
    subscription = subscribe(alpha, trial=True)
    assert subscription.trial_ends_at is not None
    trial_end = f"{subscription.trial_ends_at.day} {subscription.trial_ends_at:%b %Y}"
    assert page(alpha).one("plan-status").text == f"Trial The trial ends on {trial_end}."

    since = datetime(2026, 10, 5, 12, tzinfo=UTC)
    update_subscription(subscription, actor="test", now=since, status="past_due")
    assert page(alpha).one("plan-status").text == "Past due Payment past due since 5 Oct 2026."

    update_subscription(subscription, actor="test", now=since + timedelta(days=3), status="canceled")
    subscription.refresh_from_db()
    assert subscription.delete_after is not None
    soup = page(alpha)
    deleted = f"{subscription.delete_after.day} {subscription.delete_after:%b %Y}"
    assert soup.one("plan-status").text == (
        f"Cancelled Cancelled on 8 Oct 2026. The workspace's data will be deleted on {deleted}."
    )
    # Nothing left to change on a cancelled subscription.
    assert not soup.has("change-plan")
    assert not soup.has("cancel-subscription")


def test_a_tenant_without_a_subscription_sees_it_is_managed_by_the_operator(alpha: TenantFixture) -> None:
    usage = count_usage(alpha.tenant)

    soup = page(alpha)

    assert soup.one("no-plan").text == "No plan: managed by the operator"
    assert usage_of(soup)["seats"] == (str(usage.seats), "")
    assert usage_of(soup)["records"] == (str(usage.records), "")
    assert not soup.has("invoices")
    assert not soup.has("change-plan")


def test_usage_near_at_and_over_a_limit_is_warned_about(alpha: TenantFixture) -> None:
    with alpha.active():
        CompanyFactory.create_batch(9)
    usage = count_usage(alpha.tenant)
    near = usage.records * 100 // (usage.records + 1)
    subscribe(alpha, record_limit=usage.records + 1, seat_limit=usage.seats - 1, workflow_runs_per_month=0)

    soup = page(alpha)

    warnings = {warning["data-usage"]: warning.text for warning in soup.all("usage-warning")}
    assert near >= 90
    assert warnings == {
        "seats": "Seats (active users): over the plan's limit. Choose a larger plan",
        "records": f"Records: {near}% of the plan's limit used. Choose a larger plan",
        "workflow_runs": "Workflow runs this month: the plan's limit is reached. Choose a larger plan",
    }


def test_a_user_without_the_company_settings_permission_gets_403(alpha: TenantFixture) -> None:
    subscription = subscribe(alpha)
    invoice = issue_invoice(subscription)
    rep = alpha.client(REP_EMAIL)

    for path in (PAGE, f"{PAGE}plan/", f"{PAGE}cancel/", f"{PAGE}payment-methods/", f"{PAGE}invoices/{invoice.pk}/"):
        assert rep.get(path).status_code == 403, path
    assert rep.post(f"{PAGE}cancel/", {"confirm": "on"}).status_code == 403
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False


def test_each_tenant_sees_its_own_figures_and_invoices_only(alpha: TenantFixture, beta: TenantFixture) -> None:
    alpha_subscription, beta_subscription = subscribe(alpha), subscribe(beta, plan="growth")
    alpha_invoice, beta_invoice = issue_invoice(alpha_subscription), issue_invoice(beta_subscription)
    with beta.active():
        CompanyFactory.create_batch(4)
    alpha_usage = count_usage(alpha.tenant)

    soup = page(alpha)

    assert soup.one("plan-name").text == "Starter"
    assert [row["data-invoice"] for row in soup.all("invoice-row")] == [alpha_invoice.number]
    assert beta_invoice.number not in str(soup)
    assert usage_of(soup)["records"] == (str(alpha_usage.records), "10000")
    assert alpha.client().get(f"{PAGE}invoices/{alpha_invoice.pk}/").status_code == 200
    assert_cross_tenant_requests_fail(beta, alpha, [("get", f"{PAGE}invoices/{beta_invoice.pk}/", {})])


def test_the_page_takes_the_same_queries_for_few_and_many_invoices(
    alpha: TenantFixture, django_assert_max_num_queries
) -> None:
    subscription = subscribe(alpha)
    client = alpha.client()
    stripe_invoice(subscription, "IN-A")
    client.get(PAGE)  # the usage figures are remembered from here on
    with django_assert_max_num_queries(12):
        assert client.get(PAGE).status_code == 200
    for index in range(20):
        stripe_invoice(subscription, f"IN-B{index}")
    with django_assert_max_num_queries(12):
        response = client.get(PAGE)
    assert len(read_page(response.content).all("invoice-row")) == 21


def test_the_invoice_page_gives_the_bank_details_and_reference(alpha: TenantFixture) -> None:
    save_bank_details("Relata Platform SRL\nIBAN RO49 AAAA 1B31 0075 9384 0000", actor="ops@relata.test")
    invoice = issue_invoice(subscribe(alpha, seats=2))

    response = alpha.client().get(f"{PAGE}invoices/{invoice.pk}/")

    soup = read_page(response.content)
    assert soup.one("invoice-amount").text == "38.00 EUR"
    assert "IBAN RO49 AAAA 1B31 0075 9384 0000" in soup.one("bank-details").text
    assert f"Payment reference: {invoice.number}" in soup.one("bank-details").text
