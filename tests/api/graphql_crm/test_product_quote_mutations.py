"""GraphQL: writing products and quotes (header, lines, status) through the catalogue and quote
services — the same rules and field-named errors as REST, nothing written when refused."""

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from identity.models import Role, User
from modules.sales.models import Product, Quote, QuoteLine
from modules.sales.services.quotes import add_line, create_quote
from tenants.middleware import read_only_message
from tenants.services.lifecycle import transition_tenant
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.factories import DealFactory, ProductFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

PRODUCT = "product { name sku unitPrice currency taxRate isActive }"
PRODUCT_CREATE = f"""
mutation($input: ProductInput!) {{ productCreate(input: $input) {{ {PRODUCT} errors {{ field message code }} }} }}
"""
PRODUCT_UPDATE = f"""
mutation($id: ID!, $input: ProductInput!) {{
  productUpdate(id: $id, input: $input) {{ {PRODUCT} errors {{ field message code }} }}
}}
"""
QUOTE = (
    "quote { id number status currency discountPercent notes subtotal total"
    " lines { description quantity unitPrice taxRate } deal { name } }"
)
QUOTE_CREATE = f"""
mutation($deal: ID!, $input: QuoteInput) {{
  quoteCreate(deal: $deal, input: $input) {{ {QUOTE} errors {{ field message code }} }}
}}
"""
QUOTE_UPDATE = f"""
mutation($id: ID!, $input: QuoteInput!) {{
  quoteUpdate(id: $id, input: $input) {{ {QUOTE} errors {{ field message code }} }}
}}
"""
QUOTE_STATUS = f"""
mutation($id: ID!, $status: QuoteStatus!) {{
  quoteSetStatus(id: $id, status: $status) {{ {QUOTE} errors {{ field message code }} }}
}}
"""
LINE_ADD = f"""
mutation($quote: ID!, $input: QuoteLineInput!) {{
  quoteLineAdd(quote: $quote, input: $input) {{ line {{ id description }} {QUOTE} errors {{ field message code }} }}
}}
"""
LINE_UPDATE = f"""
mutation($id: ID!, $input: QuoteLineInput!) {{
  quoteLineUpdate(id: $id, input: $input) {{
    line {{ id description quantity }} {QUOTE} errors {{ field message code }}
  }}
}}
"""
LINE_REMOVE = f"""
mutation($id: ID!) {{ quoteLineRemove(id: $id) {{ removedId {QUOTE} errors {{ field message code }} }} }}
"""


def data(response, field: str) -> dict:
    body = response.json()
    assert "errors" not in body, body
    return body["data"][field]


def gid(instance) -> str:
    return to_global_id(type(instance).__name__, instance.pk)


def test_products_are_created_changed_and_retired(alpha: TenantFixture):
    client = alpha.client()

    created = data(
        post_graphql(client, PRODUCT_CREATE, {"input": {"name": "Support", "sku": "SUP-1", "unitPrice": "120.00",
                                                       "taxRate": "19"}}),
        "productCreate",
    )  # fmt: skip
    with alpha.active():
        product = Product.objects.get(sku="SUP-1")
    updated = data(
        post_graphql(client, PRODUCT_UPDATE, {"id": gid(product), "input": {"unitPrice": "150", "isActive": False}}),
        "productUpdate",
    )

    assert created == {
        "product": {"name": "Support", "sku": "SUP-1", "unitPrice": "120.00", "currency": "EUR", "taxRate": "19.00",
                    "isActive": True},
        "errors": [],
    }  # fmt: skip
    assert updated["product"]["unitPrice"] == "150.00"
    assert updated["product"]["isActive"] is False
    with alpha.active():
        product.refresh_from_db()
        assert (product.unit_price, product.is_active) == (Decimal("150.00"), False)


def test_bad_product_input_names_the_field_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        existing = ProductFactory(name="Licence", sku="LIC-1")
        other = ProductFactory(name="Other", sku="OTH-1")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    duplicate = data(
        post_graphql(client, PRODUCT_CREATE, {"input": {"name": "Copy", "sku": "lic-1", "unitPrice": "1"}}),
        "productCreate",
    )
    missing = data(post_graphql(client, PRODUCT_CREATE, {"input": {"sku": "NEW-1"}}), "productCreate")
    negative = data(
        post_graphql(client, PRODUCT_UPDATE, {"id": gid(other), "input": {"sku": "LIC-1", "unitPrice": "-5"}}),
        "productUpdate",
    )

    assert duplicate["product"] is None
    assert duplicate["errors"] == [
        {"field": "sku", "message": "A product with the SKU lic-1 already exists.", "code": "INVALID"}
    ]
    assert {error["field"] for error in missing["errors"]} >= {"name", "unitPrice"}
    assert {error["code"] for error in missing["errors"]} == {"REQUIRED"}
    assert negative["product"] is None
    assert negative["errors"][0]["field"] == "sku"
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Product.objects.get(pk=other.pk).sku == "OTH-1"
        assert Product.objects.filter(sku__iexact="lic-1").get() == existing


def test_a_quote_is_drafted_edited_and_sent(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Renewal", currency="EUR")
        product = ProductFactory(name="Seat", unit_price=Decimal("10.00"), currency="EUR", tax_rate=Decimal("19"))
    client = alpha.client()

    created = data(
        post_graphql(client, QUOTE_CREATE, {"deal": gid(deal), "input": {"notes": "First offer"}}), "quoteCreate"
    )
    quote_id = created["quote"]["id"]
    updated = data(
        post_graphql(client, QUOTE_UPDATE, {"id": quote_id, "input": {"discountPercent": "10", "notes": None}}),
        "quoteUpdate",
    )
    added = data(
        post_graphql(client, LINE_ADD, {"quote": quote_id, "input": {"product": gid(product), "quantity": "3"}}),
        "quoteLineAdd",
    )
    custom = data(
        post_graphql(client, LINE_ADD, {"quote": quote_id, "input": {"description": "Setup", "unitPrice": "50"}}),
        "quoteLineAdd",
    )
    changed = data(
        post_graphql(client, LINE_UPDATE, {"id": custom["line"]["id"], "input": {"description": "Onboarding",
                                                                                   "unitPrice": "70"}}),
        "quoteLineUpdate",
    )  # fmt: skip
    removed = data(post_graphql(client, LINE_REMOVE, {"id": custom["line"]["id"]}), "quoteLineRemove")
    sent = data(post_graphql(client, QUOTE_STATUS, {"id": quote_id, "status": "SENT"}), "quoteSetStatus")

    assert created["errors"] == []
    assert created["quote"]["status"] == "DRAFT"
    assert created["quote"]["deal"] == {"name": "Renewal"}
    assert (created["quote"]["notes"], created["quote"]["currency"]) == ("First offer", "EUR")
    assert (updated["quote"]["discountPercent"], updated["quote"]["notes"]) == ("10.00", "")
    assert added["line"]["description"] == "Seat"
    assert added["quote"]["lines"] == [
        {"description": "Seat", "quantity": "3.000", "unitPrice": "10.00", "taxRate": "19.00"}
    ]
    assert changed["line"]["description"] == "Onboarding"
    assert changed["line"]["quantity"] == "1.000"
    assert changed["quote"]["subtotal"] == "100.00"
    assert removed["removedId"] == custom["line"]["id"]
    assert removed["quote"]["subtotal"] == "30.00"
    # 30 − 10% = 27, tax 19% of 27 = 5.13
    assert (sent["errors"], sent["quote"]["status"], sent["quote"]["total"]) == ([], "SENT", "32.13")


def test_bad_quote_input_names_the_field_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Renewal", currency="EUR")
        retired = ProductFactory(name="Old", currency="EUR", is_active=False)
        draft = create_quote(deal=deal, by=None)
        empty = create_quote(deal=deal, by=None)
        sent = create_quote(deal=deal, by=None)
        line = add_line(draft, by=None, description="Kept", unit_price=Decimal("5.00"))
        sent_line = add_line(sent, by=None, description="Sent line", unit_price=Decimal("5.00"))
        sent.status = "sent"
        sent.save()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    answers = {
        "discount": data(post_graphql(client, QUOTE_CREATE, {"deal": gid(deal), "input": {"discountPercent": "150"}}),
                         "quoteCreate"),
        "expired": data(post_graphql(client, QUOTE_UPDATE, {"id": gid(draft), "input": {"validUntil": "2001-01-01"}}),
                        "quoteUpdate"),
        "line": data(post_graphql(client, LINE_ADD, {"quote": gid(draft), "input": {"quantity": "0"}}),
                     "quoteLineAdd"),
        "retired": data(post_graphql(client, LINE_ADD, {"quote": gid(draft), "input": {"product": gid(retired)}}),
                        "quoteLineAdd"),
        "bad line": data(post_graphql(client, LINE_UPDATE, {"id": gid(line),
                                                                  "input": {"description": "Kept", "unitPrice": "-1"}}),
                         "quoteLineUpdate"),
        "not draft": data(post_graphql(client, LINE_REMOVE, {"id": gid(sent_line)}), "quoteLineRemove"),
        "no lines": data(post_graphql(client, QUOTE_STATUS, {"id": gid(empty), "status": "SENT"}), "quoteSetStatus"),
        "transition": data(post_graphql(client, QUOTE_STATUS, {"id": gid(draft), "status": "ACCEPTED"}),
                           "quoteSetStatus"),
        "no deal": data(post_graphql(client, QUOTE_CREATE, {"deal": to_global_id("Deal", 999999)}), "quoteCreate"),
        "nan": data(post_graphql(client, LINE_ADD, {"quote": gid(draft), "input": {"description": "x",
                                                                                   "unitPrice": "NaN"}}),
                    "quoteLineAdd"),
    }  # fmt: skip

    fields = {name: sorted((error["field"], error["code"]) for error in answer["errors"])
              for name, answer in answers.items()}  # fmt: skip
    assert fields == {
        "discount": [("discountPercent", "INVALID")],
        "expired": [("validUntil", "INVALID")],
        "line": [("description", "INVALID"), ("quantity", "INVALID"), ("unitPrice", "INVALID")],
        "retired": [("product", "INVALID")],
        "bad line": [("unitPrice", "INVALID")],
        "not draft": [("status", "INVALID")],
        "no lines": [("status", "INVALID")],
        "transition": [("status", "INVALID")],
        "no deal": [("deal", "NOT_FOUND")],
        "nan": [("unitPrice", "INVALID")],
    }
    assert answers["not draft"]["errors"][0]["message"] == "Only a draft quote can be changed."
    assert all(answer.get("quote") is None for answer in answers.values())
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Quote.objects.count() == 3
        assert QuoteLine.objects.get(pk=line.pk).unit_price == Decimal("5.00")


def test_a_rep_without_sales_change_or_catalogue_rights_is_refused(alpha: TenantFixture):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        deal = DealFactory(name="Mine", owner=rep, currency="EUR")
        quote = create_quote(deal=deal, by=rep)
        line = add_line(quote, by=rep, description="Line", unit_price=Decimal("1.00"))
    rep_client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    product = data(
        post_graphql(rep_client, PRODUCT_CREATE, {"input": {"name": "Rogue", "unitPrice": "1"}}), "productCreate"
    )
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        User.objects.filter(email=REP_EMAIL).update(role=Role.objects.get(key="read_only"))
    before = schema_snapshot(alpha.tenant)
    refused = [
        data(post_graphql(rep_client, QUOTE_CREATE, {"deal": gid(deal)}), "quoteCreate"),
        data(post_graphql(rep_client, QUOTE_UPDATE, {"id": gid(quote), "input": {"notes": "x"}}), "quoteUpdate"),
        data(post_graphql(rep_client, LINE_ADD, {"quote": gid(quote), "input": {"description": "x", "unitPrice": "1"}}),
             "quoteLineAdd"),
        data(post_graphql(rep_client, LINE_REMOVE, {"id": gid(line)}), "quoteLineRemove"),
        data(post_graphql(rep_client, QUOTE_STATUS, {"id": gid(quote), "status": "SENT"}), "quoteSetStatus"),
    ]  # fmt: skip

    denied = [{"field": None, "message": "You do not have permission to do this.", "code": "PERMISSION_DENIED"}]
    assert product == {"product": None, "errors": denied}
    assert [answer["errors"] for answer in refused] == [denied] * len(refused)
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_scoped_key_cannot_write_products_or_quotes(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Scoped", currency="EUR")
        product = ProductFactory(name="Scoped product")
    _key, token = issue_key(alpha, scopes=("sales:read",))
    client = bearer_client(alpha, token)
    before = schema_snapshot(alpha.tenant)

    quote = data(post_graphql(client, QUOTE_CREATE, {"deal": gid(deal)}), "quoteCreate")
    changed = data(post_graphql(client, PRODUCT_UPDATE, {"id": gid(product), "input": {"name": "X"}}), "productUpdate")

    assert quote["errors"] == [
        {"field": None, "message": "This credential's scopes do not allow this (sales.change).",
         "code": "PERMISSION_DENIED"}
    ]  # fmt: skip
    assert changed["errors"][0]["code"] == "PERMISSION_DENIED"
    assert without_key_use(schema_snapshot(alpha.tenant)) == without_key_use(before)


def without_key_use(snapshot: dict[str, str]) -> dict[str, str]:
    """A snapshot without the key table, whose last-used time every authenticated call moves."""
    return {table: digest for table, digest in snapshot.items() if table != "identity_apikey"}


def test_betas_products_quotes_and_lines_are_not_found_from_alpha(alpha: TenantFixture, beta: TenantFixture):
    with beta.active():
        deal = DealFactory(name="Beta deal", currency="EUR")
        product = ProductFactory(name="Beta product", currency="EUR")
        quote = create_quote(deal=deal, by=None)
        line = add_line(quote, by=None, description="Beta line", unit_price=Decimal("9.00"))
    client = alpha.client()
    before = schema_snapshot(beta.tenant)

    answers = [
        (data(post_graphql(client, PRODUCT_UPDATE, {"id": gid(product), "input": {"name": "Stolen"}}),
              "productUpdate"), "id"),
        (data(post_graphql(client, QUOTE_CREATE, {"deal": gid(deal)}), "quoteCreate"), "deal"),
        (data(post_graphql(client, QUOTE_UPDATE, {"id": gid(quote), "input": {"notes": "x"}}), "quoteUpdate"), "id"),
        (data(post_graphql(client, LINE_ADD, {"quote": gid(quote), "input": {"description": "x", "unitPrice": "1"}}),
              "quoteLineAdd"), "quote"),
        (data(post_graphql(client, LINE_UPDATE, {"id": gid(line), "input": {"description": "x", "unitPrice": "1"}}),
              "quoteLineUpdate"), "id"),
        (data(post_graphql(client, LINE_REMOVE, {"id": gid(line)}), "quoteLineRemove"), "id"),
        (data(post_graphql(client, QUOTE_STATUS, {"id": gid(quote), "status": "SENT"}), "quoteSetStatus"), "id"),
    ]  # fmt: skip

    for answer, field in answers:
        assert answer["errors"] == [
            {"field": field, "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}
        ]
    assert schema_snapshot(beta.tenant) == before


@pytest.fixture
def suspended_alpha(alpha: TenantFixture) -> TenantFixture:
    transition_tenant(alpha.tenant, "suspended", actor="test")  # rolled back with the test
    return alpha


def test_a_read_only_tenant_refuses_product_and_quote_mutations(suspended_alpha: TenantFixture):
    with suspended_alpha.active():
        deal = DealFactory(name="Frozen", currency="EUR")
    client = suspended_alpha.client()
    before = schema_snapshot(suspended_alpha.tenant)

    response = post_graphql(client, QUOTE_CREATE, {"deal": gid(deal)})

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": read_only_message(suspended_alpha.tenant), "extensions": {"code": "TENANT_READ_ONLY"}}]
    }
    assert schema_snapshot(suspended_alpha.tenant) == before
