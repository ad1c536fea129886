"""GraphQL connections by keyset (opaque cursors, both directions, stable under inserts, totalCount only
when asked) and batched links (a page of 50 costs the queries a page of 5 does, nodes and nested links too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from customization.fields.services import create_definition
from modules.contacts.models import Company
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, ContactFactory, DealFactory, TagFactory, TimelineEntryFactory
from tests.tenancy import REP_EMAIL, TenantFixture

COMPANIES = """
query Companies($first: Int, $after: String, $last: Int, $before: String, $orderBy: CompanyOrderBy) {
  companies(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    edges { cursor node { name } }
    pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
  }
}
"""


def _page(alpha: TenantFixture, **variables: Any) -> dict[str, Any]:
    response = post_graphql(alpha.client(), COMPANIES, variables)
    assert "errors" not in response.json(), response.json()
    return response.json()["data"]["companies"]  # type: ignore[no-any-return]


def _names(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in page["edges"]]


def test_pages_follow_the_order_forwards_and_backwards(alpha: TenantFixture):
    with alpha.active():
        for name in ("Echo", "Bravo", "Delta", "Alpha", "Charlie"):
            CompanyFactory(name=name)

    first = _page(alpha, first=2, orderBy="NAME")
    second = _page(alpha, first=2, after=first["pageInfo"]["endCursor"], orderBy="NAME")
    third = _page(alpha, first=2, after=second["pageInfo"]["endCursor"], orderBy="NAME")
    back = _page(alpha, last=2, before=third["pageInfo"]["startCursor"], orderBy="NAME")

    assert (_names(first), _names(second), _names(third)) == (["Alpha", "Bravo"], ["Charlie", "Delta"], ["Echo"])
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert third["pageInfo"]["hasNextPage"] is False
    assert _names(back) == ["Charlie", "Delta"]
    assert back["pageInfo"]["hasPreviousPage"] is True
    assert _names(_page(alpha, last=2, orderBy="NAME_DESC")) == ["Bravo", "Alpha"]


def test_a_page_after_a_cursor_stays_put_when_rows_are_inserted_before_it(alpha: TenantFixture):
    with alpha.active():
        for name in ("Bravo", "Delta", "Foxtrot", "Hotel"):
            CompanyFactory(name=name)
    first = _page(alpha, first=2, orderBy="NAME")

    with alpha.active():
        CompanyFactory(name="Alpha")
        CompanyFactory(name="Charlie")
    second = _page(alpha, first=2, after=first["pageInfo"]["endCursor"], orderBy="NAME")

    assert _names(first) == ["Bravo", "Delta"]
    assert _names(second) == ["Foxtrot", "Hotel"]


def test_a_custom_field_order_pages_through_every_row_once_with_empty_values_last(alpha: TenantFixture):
    with alpha.active():
        create_definition(by=None, entity="company", key="rank", label="Rank", field_type="number")
        for name, rank in (("A", 3), ("B", None), ("C", 1), ("D", 2), ("E", None), ("F", 2)):
            CompanyFactory(name=name, custom={} if rank is None else {"rank": rank})
    query = """query($after: String) {
      companies(first: 2, after: $after, orderBy: NAME, customOrderBy: {key: "rank", direction: DESC}) {
        edges { node { name } } pageInfo { endCursor hasNextPage } } }"""

    seen: list[str] = []
    after = None
    for _ in range(4):
        page = post_graphql(alpha.client(), query, {"after": after}).json()["data"]["companies"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert seen == ["A", "D", "F", "C", "B", "E"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJvIjoieCIsInAiOlsxXX0"])
def test_a_foreign_or_forged_cursor_is_a_client_error_naming_the_argument(alpha: TenantFixture, cursor: str):
    with alpha.active():
        CompanyFactory(name="Only")
    other_order = _page(alpha, first=1, orderBy="CREATED_AT")["pageInfo"]["endCursor"]

    for after in (cursor, other_order):
        response = post_graphql(alpha.client(), COMPANIES, {"first": 1, "after": after, "orderBy": "NAME"})
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
        assert response.json()["data"] == {"companies": None}


def test_total_count_is_counted_only_when_selected(alpha: TenantFixture):
    with alpha.active():
        for _ in range(3):
            CompanyFactory()
    client = alpha.client()

    def queries(selection: str) -> tuple[int, dict[str, Any]]:
        with CaptureQueriesContext(connection) as captured:
            response = post_graphql(client, f"{{ companies(first: 2) {{ {selection} }} }}")
        return len(captured), response.json()["data"]["companies"]

    without, _data = queries("edges { node { name } }")
    with_count, data = queries("totalCount edges { node { name } }")

    assert data["totalCount"] == 3
    assert with_count == without + 1


DEEP = """
query($first: Int) {
  deals(first: $first) {
    edges { node { name owner { email } tags { name } company { name owner { email } }
      contact { fullName tags { name } company { name tags { name } custom { accountManager { email } } } }
      timeline(first: 2) { totalCount edges { node { kind actor { email } } } } } }
  }
}
"""
# Session and tenant checks, the schema version, the page, its prefetches (owner, pipeline and stage
# joined; tags, company, contact, lead), one query per nested link kind, the timelines and their counts.
MAX_DEEP_QUERIES = 17


def _deals(alpha: TenantFixture, count: int) -> None:
    with alpha.active():
        owner = alpha.user()
        create_definition(by=None, entity="company", key="account_manager", label="Manager", field_type="user")
        tag = TagFactory(name="deep")
        for index in range(count):
            company = CompanyFactory(owner=owner)
            other = CompanyFactory(owner=owner, custom={"account_manager": owner.pk})
            other.tags.add(tag)
            contact = ContactFactory(company=other, owner=owner)
            contact.tags.add(tag)
            deal = DealFactory(company=company, contact=contact, owner=owner)
            deal.tags.add(tag)
            for _ in range(index % 4):
                TimelineEntryFactory(deal=deal, actor=owner)


def test_deep_links_and_timelines_cost_the_same_for_5_and_50_rows(alpha: TenantFixture):
    _deals(alpha, 50)
    client = alpha.client()
    post_graphql(client, DEEP, {"first": 1})  # warm the per-tenant schema cache and the session

    def run(page_size: int) -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as captured:
            response = post_graphql(client, DEEP, {"first": page_size})
        assert "errors" not in response.json(), response.json()
        return len(captured), response.json()["data"]["deals"]["edges"]

    (small, five), (large, fifty) = run(5), run(50)

    assert small == large
    assert large <= MAX_DEEP_QUERIES
    assert (len(five), len(fifty)) == (5, 50)
    for edge in fifty:
        contact = edge["node"]["contact"]
        assert contact["tags"] == [{"name": "deep"}]
        assert contact["company"]["tags"] == [{"name": "deep"}]
        assert contact["company"]["custom"]["accountManager"] == {"email": "admin@example.test"}
        assert len(edge["node"]["timeline"]["edges"]) == min(2, edge["node"]["timeline"]["totalCount"])
    assert {edge["node"]["timeline"]["totalCount"] for edge in fifty} == {0, 1, 2, 3}


def test_a_node_and_its_links_obey_visibility_for_a_rep(alpha: TenantFixture):
    with alpha.active():
        hidden = CompanyFactory(name="Admin's company", owner=alpha.user())
        contact = ContactFactory(company=hidden, owner=alpha.user(REP_EMAIL))
        deal = DealFactory(contact=contact, owner=alpha.user(REP_EMAIL))
    query = "query($id: ID!) { node(id: $id) { ... on Deal { contact { fullName company { name } } } } }"

    node = post_graphql(alpha.client(REP_EMAIL), query, {"id": to_global_id("Deal", deal.pk)}).json()["data"]["node"]

    assert node == {"contact": {"fullName": contact.full_name, "company": None}}


def test_another_tenants_cursor_shows_nothing_of_the_other_tenant(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        for name in ("Alpha one", "Alpha two", "Alpha three"):
            CompanyFactory(name=name)
    with beta.active():
        CompanyFactory(name="Beta one")
    cursor = _page(alpha, first=1, orderBy="NAME")["pageInfo"]["endCursor"]

    response = post_graphql(beta.client(), COMPANIES, {"first": 5, "after": cursor, "orderBy": "NAME"})

    names = [edge["node"]["name"] for edge in response.json()["data"]["companies"]["edges"]]
    assert names == ["Beta one"]
    with beta.active():
        assert not Company.objects.filter(name__startswith="Alpha").exists()
