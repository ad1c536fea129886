"""REST /api/v1/orders/: creation with lines, from a quote, status moves, lines, bad input, permissions,
scopes, visibility, tenant isolation, the link rule and query counts."""

from __future__ import annotations

from decimal import Decimal

from customization.events.models import DomainEvent
from identity.models import Role
from identity.services.accounts import ensure_user
from modules.sales.models import Order
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import CompanyFactory, ContactFactory, ProductFactory
from tests.sales.orders.conftest import accepted_quote, make_order
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, schema_snapshot


def test_an_order_is_created_with_lines_and_moves_through_its_statuses(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        product = ProductFactory(currency="EUR", unit_price=Decimal("25.00"), tax_rate=Decimal("19"))
    client = api_client(alpha)

    created = post(client, "/api/v1/orders/", {
        "company": company.pk, "currency": "EUR",
        "lines": [{"product": product.pk, "quantity": "4"}, {"description": "Delivery", "unit_price": "10.00"}],
    })  # fmt: skip
    order_id = created.json()["id"]
    moved = post(client, f"/api/v1/orders/{order_id}/status/", {"status": "fulfilled"})
    refused = post(client, f"/api/v1/orders/{order_id}/status/", {"status": "confirmed"})
    line_refused = post(client, f"/api/v1/orders/{order_id}/lines/", {"description": "More", "unit_price": "1"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("O-")
    assert body["status"] == "confirmed"
    assert [(line["description"], line["net_amount"]) for line in body["lines"]] == [
        (product.name, "100.00"), ("Delivery", "10.00"),
    ]  # fmt: skip
    assert (body["subtotal"], body["tax_total"], body["total"]) == ("110.00", "19.00", "129.00")
    assert body["company"] == {"id": company.pk, "name": company.name}
    assert moved.status_code == 200
    assert moved.json()["status"] == "fulfilled"
    assert moved.json()["fulfilled_at"] is not None
    assert refused.status_code == 400
    assert field_names(refused) == ["status"]
    assert line_refused.status_code == 400
    assert field_names(line_refused) == ["lines"]
    with alpha.active():
        types = list(DomainEvent.objects.filter(record_id=order_id, entity="order").values_list("type", flat=True))
    assert sorted(types) == ["order.created", "order.status_changed"]


def test_lines_are_added_changed_and_removed_and_totals_follow(alpha: TenantFixture):
    order = make_order(alpha, lines=1)
    client = api_client(alpha)

    added = post(client, f"/api/v1/orders/{order.pk}/lines/", {"description": "Extra", "unit_price": "50.00"})
    line_id = added.json()["lines"][1]["id"]
    changed = patch(client, f"/api/v1/orders/{order.pk}/lines/{line_id}/", {"quantity": "3"})
    removed = client.delete(f"/api/v1/orders/{order.pk}/lines/{line_id}/")

    assert added.status_code == 201
    assert added.json()["total"] == "150.00"
    assert changed.status_code == 200
    assert changed.json()["total"] == "250.00"
    assert removed.status_code == 200
    assert removed.json()["total"] == "100.00"


def test_the_order_of_an_accepted_quote_is_made_once(alpha: TenantFixture):
    quote = accepted_quote(alpha)
    client = api_client(alpha)

    first = post(client, "/api/v1/orders/from-quote/", {"quote": quote.pk})
    second = post(client, "/api/v1/orders/from-quote/", {"quote": quote.pk})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["quote"] == {"id": quote.pk, "number": quote.number}
    assert first.json()["total"] == str(quote.total)


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory()
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    cases = [
        ({"company": company.pk, "lines": [{"description": "x", "unit_price": "1", "quantity": "0"}]},
         "lines.0.quantity"),
        ({"company": company.pk, "lines": [{"description": "a\u0000b", "unit_price": "1"}]}, "lines.0.description"),
        ({"company": company.pk, "notes": "\u0000"}, "notes"),
        ({"company": company.pk, "ordered_on": "9999-01-01"}, "ordered_on"),
        ({"company": company.pk, "discount_percent": "120"}, "discount_percent"),
        ({"lines": []}, "company"),
        ({"company": company.pk, "custom": {"unknown": 1}}, "custom.unknown"),
    ]  # fmt: skip
    for body, field in cases:
        response = post(client, "/api/v1/orders/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (field, response.json())
    assert schema_snapshot(alpha.tenant) == before


def test_a_rep_sees_their_own_orders_and_links_to_records_they_cannot_see_are_null(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        hidden_company = CompanyFactory(owner=admin)
    own = make_order(alpha, owner_email=REP_EMAIL, company=hidden_company, contact=None)
    others = make_order(alpha)
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/orders/").json()["results"]
    hidden = client.get(f"/api/v1/orders/{others.pk}/")

    assert [row["id"] for row in listed] == [own.pk]
    assert listed[0]["company"] is None
    assert hidden.status_code == 404


def test_roles_and_keys_without_the_permission_or_scope_are_refused(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        role = Role.objects.create(key="no_sales", name="No sales", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nosales@example.test", password=PASSWORD, role=role, full_name="No Sales")
    without_view = api_client(alpha, "nosales@example.test")
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read", "contacts:write"))
    _key, read_only = issue_key(alpha, scopes=("sales:read",), name="Reader")

    assert without_view.get("/api/v1/orders/").status_code == 403
    assert bearer_client(alpha, contacts_only).get("/api/v1/orders/").status_code == 403
    assert bearer_client(alpha, read_only).get(f"/api/v1/orders/{order.pk}/").status_code == 200
    refused = bearer_client(alpha, read_only).post(
        f"/api/v1/orders/{order.pk}/status/", {"status": "fulfilled"}, content_type="application/json"
    )
    assert refused.status_code == 403
    with alpha.active():
        assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_a_read_only_user_cannot_write_orders(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        ensure_user(email="reader@example.test", password=PASSWORD, role=Role.objects.get(key="read_only"))
    client = api_client(alpha, "reader@example.test")

    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert post(client, f"/api/v1/orders/{order.pk}/status/", {"status": "cancelled"}).status_code == 403
    assert client.delete(f"/api/v1/orders/{order.pk}/").status_code == 403
    with alpha.active():
        assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_orders_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha, lines=1)
    quote = accepted_quote(alpha)
    with alpha.active():
        line_id = order.lines.values_list("pk", flat=True).get()
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/orders/{order.pk}/", {}),
        ("patch", f"/api/v1/orders/{order.pk}/", {"notes": "stolen"}),
        ("delete", f"/api/v1/orders/{order.pk}/", {}),
        ("post", f"/api/v1/orders/{order.pk}/status/", {"status": "cancelled"}),
        ("post", f"/api/v1/orders/{order.pk}/lines/", {"description": "x", "unit_price": "1"}),
        ("patch", f"/api/v1/orders/{order.pk}/lines/{line_id}/", {"quantity": "9"}),
        ("delete", f"/api/v1/orders/{order.pk}/lines/{line_id}/", {}),
    ])  # fmt: skip
    response = post(api_client(beta), "/api/v1/orders/from-quote/", {"quote": quote.pk})
    assert response.status_code == 400
    assert field_names(response) == ["quote"]


def test_the_list_costs_the_same_queries_for_5_and_50_orders(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        contact = ContactFactory(company=company)
    for _ in range(5):
        make_order(alpha, lines=2, company=company, contact=contact)
    client = api_client(alpha)
    few, _response = queries_for(client, "/api/v1/orders/?page_size=100")
    for _ in range(45):
        make_order(alpha, lines=3)
    many, response = queries_for(client, "/api/v1/orders/?page_size=100")

    assert len(response.json()["results"]) == 50
    assert many == few
