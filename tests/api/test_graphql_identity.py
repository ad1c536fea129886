"""GraphQL: me, the users connection and relay nodes, for signed-in users only."""

import pytest
from graphql_relay import to_global_id

from identity.models import User
from tests.api.helpers import create_users, post_graphql
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

USERS_QUERY = """
query Users($first: Int, $after: String, $isActive: Boolean, $email: String) {
  users(first: $first, after: $after, isActive: $isActive, email: $email) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { email role { key } teams { name } } }
  }
}
"""


def test_me_returns_the_signed_in_user(alpha: TenantFixture):
    client = alpha.client(REP_EMAIL)

    response = post_graphql(client, "{ me { email fullName isActive role { key } teams { name } } }")

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "me": {
                "email": REP_EMAIL,
                "fullName": "Rita Rep",
                "isActive": True,
                "role": {"key": "sales_rep"},
                "teams": [{"name": "Field sales"}],
            }
        }
    }


def test_users_connection_counts_and_lists_the_tenants_users_in_id_order(alpha: TenantFixture):
    client = alpha.client()

    response = post_graphql(client, USERS_QUERY, {"first": 10})

    assert response.status_code == 200
    users = response.json()["data"]["users"]
    assert users["totalCount"] == 2
    assert users["pageInfo"]["hasNextPage"] is False
    assert [edge["node"] for edge in users["edges"]] == [
        {"email": ADMIN_EMAIL, "role": {"key": "admin"}, "teams": [{"name": "Field sales"}]},
        {"email": REP_EMAIL, "role": {"key": "sales_rep"}, "teams": [{"name": "Field sales"}]},
    ]


def test_users_connection_pages_forward_with_cursors(alpha: TenantFixture):
    with alpha.active():
        create_users(3)
        expected = list(User.objects.order_by("id").values_list("email", flat=True))
    client = alpha.client()

    first = post_graphql(client, USERS_QUERY, {"first": 3}).json()["data"]["users"]
    second = post_graphql(client, USERS_QUERY, {"first": 3, "after": first["pageInfo"]["endCursor"]}).json()

    assert first["totalCount"] == 5
    assert [edge["node"]["email"] for edge in first["edges"]] == expected[:3]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["email"] for edge in second["data"]["users"]["edges"]] == expected[3:]


def test_users_connection_filters_by_is_active_and_email(alpha: TenantFixture):
    with alpha.active():
        create_users(1, prefix="gone", is_active=False)
    client = alpha.client()

    inactive = post_graphql(client, USERS_QUERY, {"isActive": False}).json()["data"]["users"]
    by_email = post_graphql(client, USERS_QUERY, {"email": "REP@example.test"}).json()["data"]["users"]

    assert [edge["node"]["email"] for edge in inactive["edges"]] == ["gone000@example.test"]
    assert inactive["totalCount"] == 1
    assert [edge["node"]["email"] for edge in by_email["edges"]] == [REP_EMAIL]


def test_node_resolves_a_user_by_global_id(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    client = alpha.client()

    response = post_graphql(
        client, "query($id: ID!) { node(id: $id) { id ... on User { email } } }", {"id": to_global_id("User", rep.pk)}
    )

    assert response.json() == {"data": {"node": {"id": to_global_id("User", rep.pk), "email": REP_EMAIL}}}


@pytest.mark.parametrize("global_id", ["not-base64!", to_global_id("Nope", 1), to_global_id("User", "abc")])
def test_node_with_an_id_that_names_nothing_is_null_not_an_error(alpha: TenantFixture, global_id: str):
    response = post_graphql(alpha.client(), "query($id: ID!) { node(id: $id) { id } }", {"id": global_id})

    assert response.status_code == 200
    assert response.json() == {"data": {"node": None}}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ me { email } }", "me"),
        ("{ users { totalCount } }", "users"),
        ('{ node(id: "VXNlcjox") { id } }', "node"),  # User:1
    ],
)
def test_anonymous_callers_are_not_authenticated(alpha: TenantFixture, query: str, field: str):
    response = post_graphql(alpha.client(None), query)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {field: None}
    assert [(error["message"], error["path"], error["extensions"]) for error in body["errors"]] == [
        ("Not authenticated.", [field], {"code": "UNAUTHENTICATED"})
    ]


@pytest.mark.parametrize("page_size", [1, 50])
def test_users_connection_query_count_does_not_depend_on_page_size(
    alpha: TenantFixture, page_size: int, django_assert_max_num_queries
):
    with alpha.active():
        create_users(60)
    client = alpha.client()

    # search_path, domain, search_path, session, user, definitions version, COUNT, one page of users, their teams
    with django_assert_max_num_queries(9):
        response = post_graphql(client, USERS_QUERY, {"first": page_size})

    users = response.json()["data"]["users"]
    assert users["totalCount"] == 62
    assert len(users["edges"]) == page_size


@pytest.mark.parametrize(
    ("first", "message"),
    [
        (101, "Requesting 101 records on the `users` connection exceeds the `first` limit of 100 records."),
        (-1, "Argument 'first' must be a non-negative integer."),
    ],
)
def test_a_page_size_out_of_bounds_is_a_client_error(alpha: TenantFixture, first: int, message: str, monkeypatch):
    reported: list[BaseException] = []
    monkeypatch.setattr("api.graphql.views.sentry_sdk.capture_exception", reported.append)

    response = post_graphql(alpha.client(), USERS_QUERY, {"first": first})

    assert response.json()["data"] == {"users": None}
    assert [(error["message"], error["extensions"]) for error in response.json()["errors"]] == [
        (message, {"code": "BAD_USER_INPUT"})
    ]
    assert reported == []
