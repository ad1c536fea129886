"""GraphQL orders: the connection with lines, the mutations through the order service (field-named
errors, nothing written), permissions, scopes, visibility, tenant isolation and query counts."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from identity.models import Role
from identity.services.accounts import ensure_user
from modules.sales.models import Order
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, ProductFactory
from tests.sales.orders.conftest import accepted_quote, make_order
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, schema_snapshot

ORDER = "order { id number status total currency company { name } quote { number } lines { description netAmount } }"
ERRORS = "errors { field message code }"
CREATE = f"mutation($input: OrderInput!) {{ orderCreate(input: $input) {{ {ORDER} {ERRORS} }} }}"
FROM_QUOTE = f"mutation($quote: ID!) {{ orderCreateFromQuote(quote: $quote) {{ {ORDER} {ERRORS} }} }}"
STATUS = (
    f"mutation($id: ID!, $status: OrderStatus!) {{ orderSetStatus(id: $id, status: $status) {{ {ORDER} {ERRORS} }} }}"
)
LINE_ADD = (
    "mutation($order: ID!, $input: OrderLineInput!) {"
    f" orderLineAdd(order: $order, input: $input) {{ {ORDER} {ERRORS} }} }}"
)
DELETE = f"mutation($id: ID!) {{ orderDelete(id: $id) {{ deletedId {ERRORS} }} }}"
LIST = (
    "{ orders(first: 100) { totalCount edges { node {"
    " number total company { name } lines { description product { name } } } } } }"
)


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def test_an_order_is_created_with_lines_moved_and_deleted(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user(), name="Glassworks SRL")
        product = ProductFactory(currency="EUR", unit_price=Decimal("12.50"), tax_rate=Decimal("0"), name="Pane")
    client = alpha.client()

    created = post_graphql(client, CREATE, {"input": {
        "company": gid("Company", company.pk), "currency": "EUR",
        "lines": [{"product": gid("Product", product.pk), "quantity": "2"}],
    }}).json()["data"]["orderCreate"]  # fmt: skip
    order_id = created["order"]["id"]
    added = post_graphql(client, LINE_ADD, {"order": order_id, "input": {"description": "Cut", "unitPrice": "5"}})
    moved = post_graphql(client, STATUS, {"id": order_id, "status": "FULFILLED"}).json()["data"]["orderSetStatus"]
    refused = post_graphql(client, STATUS, {"id": order_id, "status": "CONFIRMED"}).json()["data"]["orderSetStatus"]
    deleted = post_graphql(client, DELETE, {"id": order_id}).json()["data"]["orderDelete"]

    assert created["errors"] == []
    assert created["order"]["company"] == {"name": "Glassworks SRL"}
    assert created["order"]["lines"] == [{"description": "Pane", "netAmount": "25.00"}]
    assert added.json()["data"]["orderLineAdd"]["order"]["total"] == "30.00"
    assert moved["order"]["status"] == "FULFILLED"
    assert [error["field"] for error in refused["errors"]] == ["status"]
    assert deleted == {"deletedId": order_id, "errors": []}


def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    for values, field in (
        ({"lines": [{"description": "x", "unitPrice": "1", "quantity": "0"}]}, "lines.0.quantity"),
        ({"notes": "bad\u0000"}, "notes"),
        ({"orderedOn": "9999-12-31"}, "orderedOn"),
        ({"discountPercent": "NaN"}, "discountPercent"),
    ):
        result = post_graphql(client, CREATE, {"input": {"company": gid("Company", company.pk), **values}}).json()
        errors = result["data"]["orderCreate"]["errors"]
        assert field in [error["field"] for error in errors], (field, result)
    assert schema_snapshot(alpha.tenant) == before


def test_the_order_of_an_accepted_quote_is_made_once(alpha: TenantFixture):
    quote = accepted_quote(alpha)
    client = alpha.client()

    first = post_graphql(client, FROM_QUOTE, {"quote": gid("Quote", quote.pk)}).json()["data"]["orderCreateFromQuote"]
    again = post_graphql(client, FROM_QUOTE, {"quote": gid("Quote", quote.pk)}).json()["data"]["orderCreateFromQuote"]

    assert first["errors"] == []
    assert again["order"]["id"] == first["order"]["id"]
    assert first["order"]["quote"] == {"number": quote.number}
    with alpha.active():
        assert Order.objects.count() == 1


def test_a_rep_sees_only_their_orders_and_a_role_or_key_without_sales_gets_nothing(alpha: TenantFixture):
    own = make_order(alpha, owner_email=REP_EMAIL)
    make_order(alpha)
    with alpha.active():
        role = Role.objects.create(key="no_sales", name="No sales", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nosales@example.test", password=PASSWORD, role=role, full_name="No Sales")
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, sales_read = issue_key(alpha, scopes=("sales:read",), name="Reader")

    as_rep = post_graphql(alpha.client(REP_EMAIL), LIST).json()["data"]["orders"]
    without_view = post_graphql(alpha.client("nosales@example.test"), LIST).json()
    without_scope = post_graphql(bearer_client(alpha, contacts_only), LIST).json()
    write_with_read_key = post_graphql(
        bearer_client(alpha, sales_read), STATUS, {"id": gid("Order", own.pk), "status": "CANCELLED"}
    ).json()["data"]["orderSetStatus"]

    assert [edge["node"]["number"] for edge in as_rep["edges"]] == [own.number]
    assert without_view["data"]["orders"] is None
    assert without_view["errors"]
    assert without_scope["data"]["orders"] is None
    assert without_scope["errors"]
    assert [error["code"] for error in write_with_read_key["errors"]] == ["PERMISSION_DENIED"]
    with alpha.active():
        assert Order.objects.get(pk=own.pk).status == "confirmed"


def test_another_tenant_cannot_read_or_change_an_order(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha)
    before = schema_snapshot(alpha.tenant)
    client = beta.client()

    read = post_graphql(client, f'{{ node(id: "{gid("Order", order.pk)}") {{ id }} }}').json()
    moved = post_graphql(client, STATUS, {"id": gid("Order", order.pk), "status": "CANCELLED"}).json()
    listed = post_graphql(client, LIST).json()["data"]["orders"]

    assert read["data"]["node"] is None
    assert [error["code"] for error in moved["data"]["orderSetStatus"]["errors"]] == ["NOT_FOUND"]
    assert order.number not in [edge["node"]["number"] for edge in listed["edges"]]
    assert schema_snapshot(alpha.tenant) == before


def test_the_connection_costs_the_same_queries_for_5_and_50_orders(alpha: TenantFixture):
    for _ in range(5):
        make_order(alpha, lines=2)
    client = alpha.client()

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            body = post_graphql(client, LIST).json()
        return len(captured.captured_queries), body["data"]["orders"]["totalCount"]

    few, five = count()
    for _ in range(45):
        make_order(alpha, lines=3)
    many, fifty = count()
    assert (five, fifty) == (5, 50)
    assert many == few
