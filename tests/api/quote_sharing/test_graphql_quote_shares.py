"""GraphQL quote links: ``quoteShareCreate`` (the token answered once, only its hash kept),
``Quote.shares`` without tokens, ``quoteShareWithdraw``; permissions, scopes, visibility, tenant
isolation and query counts."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from identity.models import Role
from identity.services.accounts import ensure_user
from modules.sales.models import Quote, QuoteShare
from modules.sales.services.quote_sharing import share_quote
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.sales.catalog.test_public_quote import customer, draft_quote
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, schema_snapshot

ERRORS = "errors { field message code }"
CREATE = (
    "mutation($quote: ID!) { quoteShareCreate(quote: $quote) {"
    f" token url share {{ id expiresAt createdBy {{ email }} }} quote {{ status }} {ERRORS} }} }}"
)
WITHDRAW = f"mutation($id: ID!) {{ quoteShareWithdraw(id: $id) {{ share {{ id revokedAt }} {ERRORS} }} }}"
SHARES = "query($id: ID!) { node(id: $id) { ... on Quote { number shares { id expiresAt } } } }"
LIST = "{ quotes(first: 100) { edges { node { number shares { id createdBy { email } quote { number } } } } } }"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def test_a_link_is_made_once_read_without_its_token_and_withdrawn(alpha: TenantFixture):
    quote = draft_quote(alpha)
    client = alpha.client()

    made = post_graphql(client, CREATE, {"quote": gid("Quote", quote.pk)}).json()["data"]["quoteShareCreate"]
    token = made["token"]
    read = post_graphql(client, SHARES, {"id": gid("Quote", quote.pk)})

    assert made["errors"] == []
    assert made["url"] == f"http://{alpha.host}/quote/{token}/"
    assert made["quote"]["status"] == "SENT"
    assert made["share"]["createdBy"]["email"] == "admin@example.test"
    assert read.json()["data"]["node"]["shares"] == [
        {"id": made["share"]["id"], "expiresAt": made["share"]["expiresAt"]}
    ]
    assert token not in read.content.decode()
    with alpha.active():
        assert QuoteShare.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()

    withdrawn = post_graphql(client, WITHDRAW, {"id": made["share"]["id"]}).json()["data"]["quoteShareWithdraw"]

    assert withdrawn["errors"] == []
    assert withdrawn["share"]["revokedAt"] is not None
    assert post_graphql(client, SHARES, {"id": gid("Quote", quote.pk)}).json()["data"]["node"]["shares"] == []
    assert customer(alpha).get(f"/quote/{token}/").status_code == 410


def test_a_quote_that_cannot_be_shared_names_the_field_and_writes_nothing(alpha: TenantFixture):
    empty = draft_quote(alpha, lines=0)

    refused = post_graphql(alpha.client(), CREATE, {"quote": gid("Quote", empty.pk)}).json()["data"]

    assert refused["quoteShareCreate"]["token"] is None
    assert [(e["field"], e["code"]) for e in refused["quoteShareCreate"]["errors"]] == [("status", "INVALID")]
    with alpha.active():
        assert not QuoteShare.objects.exists()
        assert Quote.objects.get(pk=empty.pk).status == "draft"


def test_roles_and_keys_without_the_permission_or_scope_are_refused(alpha: TenantFixture):
    quote = draft_quote(alpha)
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
        role = Role.objects.create(key="no_sales", name="No sales", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nosales@example.test", password=PASSWORD, role=role, full_name="No Sales")
        ensure_user(email="reader@example.test", password=PASSWORD, role=Role.objects.get(key="read_only"))
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read", "contacts:write"))
    _key, sales_read = issue_key(alpha, scopes=("sales:read",), name="Reader")
    quote_id, share_id = gid("Quote", quote.pk), gid("QuoteShare", share.pk)
    callers = {
        "role without sales": alpha.client("nosales@example.test"),
        "read-only role": alpha.client("reader@example.test"),
        "key without sales": bearer_client(alpha, contacts_only),
        "read-only key": bearer_client(alpha, sales_read),
    }

    for who, client in callers.items():
        made = post_graphql(client, CREATE, {"quote": quote_id}).json()["data"]["quoteShareCreate"]
        withdrawn = post_graphql(client, WITHDRAW, {"id": share_id}).json()["data"]["quoteShareWithdraw"]
        assert (made["token"], [e["code"] for e in made["errors"]]) == (None, ["PERMISSION_DENIED"]), who
        assert (withdrawn["share"], [e["code"] for e in withdrawn["errors"]]) == (None, ["PERMISSION_DENIED"]), who
    for who in ("role without sales", "key without sales"):
        read = post_graphql(callers[who], SHARES, {"id": quote_id}).json()
        assert (read.get("data") or {}).get("node") is None, who
    read_only = post_graphql(callers["read-only key"], SHARES, {"id": quote_id}).json()["data"]["node"]
    assert [row["id"] for row in read_only["shares"]] == [share_id]
    with alpha.active():
        assert list(QuoteShare.objects.values_list("pk", "revoked_at")) == [(share.pk, None)]


def test_a_rep_cannot_reach_the_links_of_a_quote_outside_their_visibility(alpha: TenantFixture):
    quote = draft_quote(alpha)
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
    rep = alpha.client(REP_EMAIL)

    made = post_graphql(rep, CREATE, {"quote": gid("Quote", quote.pk)}).json()["data"]["quoteShareCreate"]
    withdrawn = post_graphql(rep, WITHDRAW, {"id": gid("QuoteShare", share.pk)}).json()["data"]
    node = post_graphql(rep, f'{{ node(id: "{gid("QuoteShare", share.pk)}") {{ id }} }}').json()["data"]

    assert [e["code"] for e in made["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in withdrawn["quoteShareWithdraw"]["errors"]] == ["NOT_FOUND"]
    assert node["node"] is None
    with alpha.active():
        assert QuoteShare.objects.count() == 1
        assert QuoteShare.objects.get().revoked_at is None


def test_another_tenant_cannot_read_make_or_withdraw_a_link(alpha: TenantFixture, beta: TenantFixture):
    quote = draft_quote(alpha)
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
    before = schema_snapshot(alpha.tenant)
    client = beta.client()

    node = post_graphql(client, f'{{ node(id: "{gid("QuoteShare", share.pk)}") {{ id }} }}').json()["data"]
    made = post_graphql(client, CREATE, {"quote": gid("Quote", quote.pk)}).json()["data"]["quoteShareCreate"]
    withdrawn = post_graphql(client, WITHDRAW, {"id": gid("QuoteShare", share.pk)}).json()["data"]

    assert node["node"] is None
    assert [e["code"] for e in made["errors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in withdrawn["quoteShareWithdraw"]["errors"]] == ["NOT_FOUND"]
    assert schema_snapshot(alpha.tenant) == before


def test_the_links_of_a_page_of_quotes_cost_the_same_queries_for_5_and_50_quotes(alpha: TenantFixture):
    def add(count: int) -> None:
        for _ in range(count):
            quote = draft_quote(alpha, lines=1)
            with alpha.active():
                share_quote(quote, by=alpha.user())

    client = alpha.client()

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            edges = post_graphql(client, LIST).json()["data"]["quotes"]["edges"]
        assert all(len(edge["node"]["shares"]) == 1 for edge in edges)
        return len(captured.captured_queries), len(edges)

    add(5)
    few, five = count()
    add(45)
    many, fifty = count()
    assert (five, fifty) == (5, 50)
    assert many == few
