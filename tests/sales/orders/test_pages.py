"""Order pages: list, detail, create, edit, lines, status buttons, orders from quotes, purchase history;
permissions, visibility, tenant isolation and query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.contacts.models import ExchangeRate
from modules.sales.models import Order
from modules.sales.services.orders import create_order, set_order_status
from tests.factories import CompanyFactory, ContactFactory
from tests.sales.catalog.conftest import MakeUser
from tests.sales.orders.conftest import accepted_quote, line, make_order
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), response.content.decode()


def test_an_order_is_created_given_lines_and_moved_through_its_statuses_on_the_pages(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user(), name="Orchard Farm")
    client = alpha.client()

    created = client.post("/orders/new/", {
        "company": company.pk, "currency": "EUR", "ordered_on": timezone.localdate().isoformat(),
        "discount_percent": "0", "owner": alpha.user().pk,
    })  # fmt: skip
    with alpha.active():
        order = Order.objects.get()
    added = client.post(f"/orders/{order.pk}/lines/", {"description": "Apples", "quantity": "10", "unit_price": "2.50"})
    bad_line = client.post(f"/orders/{order.pk}/lines/", {"description": "Pears", "quantity": "0", "unit_price": "1"})
    fulfilled = client.post(f"/orders/{order.pk}/status/", {"status": "fulfilled"})
    refused = client.post(f"/orders/{order.pk}/status/", {"status": "confirmed"})
    page = client.get(f"/orders/{order.pk}/").content.decode()

    assert created.status_code == 302
    assert created["Location"] == f"/orders/{order.pk}/"
    assert added.status_code == 302
    assert bad_line.status_code == 400
    assert fulfilled.status_code == 302
    assert refused.status_code == 400
    with alpha.active():
        order.refresh_from_db()
    assert (order.status, order.total) == ("fulfilled", Decimal("25.00"))
    assert "Mark as invoiced" in page
    assert "Mark as fulfilled" not in page
    assert 'data-confirm="' in page
    assert "Apples" in page
    assert "Orchard Farm" in page


def test_bad_header_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    valid = {"company": company.pk, "currency": "EUR", "ordered_on": "2026-01-01"}

    nul = client.post("/orders/new/", {**valid, "notes": "a\x00b"})
    end_of_time = client.post("/orders/new/", {**valid, "ordered_on": "9999-01-01"})
    nobody = client.post("/orders/new/", {**valid, "company": ""})

    assert (nul.status_code, end_of_time.status_code, nobody.status_code) == (400, 400, 400)
    assert "notes" in nul.context["form"].errors
    assert "ordered_on" in end_of_time.context["form"].errors
    assert "company" in nobody.context["form"].errors
    assert schema_snapshot(alpha.tenant) == before


def test_an_accepted_quote_gets_a_create_order_button_and_becomes_one_order(alpha: TenantFixture):
    quote = accepted_quote(alpha)
    client = alpha.client()

    before = client.get(f"/quotes/{quote.pk}/").content.decode()
    first = client.post(f"/quotes/{quote.pk}/order/")
    second = client.post(f"/quotes/{quote.pk}/order/")
    after = client.get(f"/quotes/{quote.pk}/").content.decode()

    with alpha.active():
        order = Order.objects.get()
    assert 'data-testid="create-order"' in before
    assert first["Location"] == second["Location"] == f"/orders/{order.pk}/"
    assert 'data-testid="create-order"' not in after
    assert order.number in after


def test_pages_need_the_sales_permissions(alpha: TenantFixture, make_user: MakeUser):
    order = make_order(alpha)
    make_user("read_only", "reader@example.test")
    reader = alpha.client("reader@example.test")

    assert reader.get("/orders/").status_code == 200
    assert reader.get(f"/orders/{order.pk}/").status_code == 200
    assert reader.get("/orders/new/").status_code == 403
    assert reader.post(f"/orders/{order.pk}/status/", {"status": "cancelled"}).status_code == 403
    assert reader.post(f"/orders/{order.pk}/delete/").status_code == 403
    with alpha.active():
        assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_a_rep_sees_only_their_own_orders(alpha: TenantFixture):
    own = make_order(alpha, owner_email=REP_EMAIL)
    others = make_order(alpha)
    client = alpha.client(REP_EMAIL)

    listed = client.get("/orders/").content.decode()

    assert own.number in listed
    assert others.number not in listed
    assert client.get(f"/orders/{others.pk}/").status_code == 404
    assert client.post(f"/orders/{others.pk}/status/", {"status": "cancelled"}).status_code == 404


def test_sales_switched_off_hides_the_pages(alpha: TenantFixture, sales_disabled: None):
    assert alpha.client().get("/orders/").status_code == 403


def test_order_pages_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha, lines=1)
    with alpha.active():
        line_id = order.lines.values_list("pk", flat=True).get()
        company_id = order.company_id
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"/orders/{order.pk}/", {}),
        ("get", f"/orders/{order.pk}/edit/", {}),
        ("post", f"/orders/{order.pk}/edit/", {"currency": "EUR", "ordered_on": "2026-01-01"}),
        ("post", f"/orders/{order.pk}/status/", {"status": "cancelled"}),
        ("post", f"/orders/{order.pk}/lines/", {"description": "x", "quantity": "1", "unit_price": "1"}),
        ("post", f"/orders/{order.pk}/lines/{line_id}/", {"description": "x", "quantity": "1", "unit_price": "1"}),
        ("post", f"/orders/{order.pk}/lines/{line_id}/delete/", {}),
        ("get", f"/orders/{order.pk}/lines/prefill/", {}),
        ("post", f"/orders/{order.pk}/delete/", {}),
        ("get", f"/purchases/company/{company_id}/", {}),
    ])  # fmt: skip


def test_the_list_costs_the_same_queries_for_5_and_50_orders(alpha: TenantFixture):
    for _ in range(5):
        make_order(alpha, lines=2)
    client = alpha.client()
    few, _page = queries(client, "/orders/")
    for _ in range(45):
        make_order(alpha, lines=1)
    many, page = queries(client, "/orders/")

    assert page.count('href="/orders/') >= 50
    assert many == few


@pytest.mark.parametrize("subject", ["company", "contact"])
def test_purchase_history_sums_in_base_currency_and_costs_the_same_for_2_and_30_orders(
    alpha: TenantFixture, subject: str
):
    today = timezone.localdate()
    with alpha.active():
        by = alpha.user()
        company = CompanyFactory(owner=by)
        contact = ContactFactory(company=company, owner=by)
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.5"), valid_from=today - timedelta(days=3650))
        customer = {"company": company, "contact": contact}

        def order(days_ago: int, currency: str = "EUR") -> Order:
            return create_order(by=by, currency=currency, ordered_on=today - timedelta(days=days_ago),
                                lines=[line("Box", "1", "100.00")], **customer)  # fmt: skip

        order(100)
        order(40, "USD")  # 100 USD = 50 EUR
        cancelled = order(10)
        set_order_status(cancelled, "cancelled", by=by)
    pk = customer[subject].pk
    client = alpha.client()

    few, card = queries(client, f"/purchases/{subject}/{pk}/")
    with alpha.active():
        for number in range(28):
            order(200 + number)
    many, many_card = queries(client, f"/purchases/{subject}/{pk}/")

    assert 'data-testid="order-count">2<' in card
    assert 'data-testid="base-total">150.00<' in card
    assert "60 days" in card  # 100 → 40 days ago: one gap of 60 days
    assert 'data-testid="base-total">2,950.00<' in many_card  # 150 + 28 × 100, grouped by the locale
    assert many == few


def test_purchase_history_counts_only_orders_the_user_may_see(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
    make_order(alpha, owner_email=REP_EMAIL, company=company)
    make_order(alpha, company=company)  # the admin's

    card = alpha.client(REP_EMAIL).get(f"/purchases/company/{company.pk}/").content.decode()
    detail = alpha.client(REP_EMAIL).get(f"/companies/{company.pk}/").content.decode()

    assert 'data-testid="order-count">1<' in card
    assert f"/purchases/company/{company.pk}/" in detail


def test_an_edit_shows_on_the_orders_history_and_on_its_companys_timeline(alpha: TenantFixture):
    order = make_order(alpha)
    client = alpha.client()
    form = {
        "company": order.company_id, "contact": order.contact_id, "owner": alpha.user().pk, "currency": "EUR",
        "ordered_on": order.ordered_on.isoformat(), "discount_percent": "0", "notes": "Leave at the gate",
    }  # fmt: skip

    saved = client.post(f"/orders/{order.pk}/edit/", form)
    history = client.get(f"/timeline/order/{order.pk}/").content.decode()
    timeline = client.get(f"/timeline/company/{order.company_id}/").content.decode()

    assert saved.status_code == 302
    assert "Leave at the gate" in history
    assert f"Order {order.number} changed" in timeline
    assert "Leave at the gate" in timeline


def test_bulk_status_changes_all_or_nothing_and_a_rep_acts_on_their_own_orders_only(alpha: TenantFixture):
    first, second = make_order(alpha), make_order(alpha, lines=0)  # an order without lines cannot move
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    move = {"action": "order_status", "order_status": "fulfilled"}

    refused = client.post("/orders/bulk/", {**move, "ids": [first.pk, second.pk]}, follow=True)
    unchanged = schema_snapshot(alpha.tenant)
    moved = client.post("/orders/bulk/", {**move, "ids": [first.pk]})
    theirs = alpha.client(REP_EMAIL).post("/orders/bulk/", {**move, "ids": [second.pk]})

    assert f"{second.number}:" in refused.content.decode()
    assert unchanged == before
    assert moved.status_code == 302
    assert theirs.status_code == 404
    with alpha.active():
        assert dict(Order.objects.values_list("pk", "status")) == {first.pk: "fulfilled", second.pk: "confirmed"}


def test_order_views_are_saved_and_the_list_filters_by_customer(alpha: TenantFixture):
    own = make_order(alpha)
    other = make_order(alpha)
    client = alpha.client()

    client.post("/orders/views/", {"name": "Confirmed", "query": "status=confirmed"})
    listed = client.get(f"/orders/?company={own.company_id}").content.decode()

    with alpha.active():
        from modules.contacts.models import SavedView

        assert SavedView.objects.filter(entity="order", name="Confirmed").exists()
    assert own.number in listed
    assert other.number not in listed
