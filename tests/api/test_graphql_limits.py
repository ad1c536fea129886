"""GraphQL: limits on documents, operations and batches; introspection for signed-in clients;
malformed documents are GraphQL errors (400), never server errors; unexpected errors reach Sentry."""

import json
from typing import Any

import graphene
import pytest
from graphql import build_schema, get_introspection_query, parse, validate

from api.graphql.limits import (
    MAX_ALIASES,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_LEXICAL_TOKENS,
    MAX_SOURCE_LENGTH,
    validation_rules,
)
from tests.api.helpers import post_graphql, run_graphql_view
from tests.tenancy import ADMIN_EMAIL, TenantFixture


def _messages(response) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]


def test_introspection_is_refused_to_anonymous_callers(alpha: TenantFixture):
    response = post_graphql(alpha.client(None), '{ __schema { queryType { name } } __type(name: "User") { name } }')

    assert response.status_code == 400
    assert "data" not in response.json()
    assert _messages(response) == ["Introspection is only available to signed-in clients."] * 2


def test_anonymous_callers_may_still_ask_for_typename(alpha: TenantFixture):
    response = post_graphql(alpha.client(None), "{ __typename }")

    assert response.json() == {"data": {"__typename": "Query"}}


def test_introspection_works_for_signed_in_clients(alpha: TenantFixture):
    response = post_graphql(alpha.client(), get_introspection_query(descriptions=True))

    assert response.status_code == 200
    types = {graphql_type["name"] for graphql_type in response.json()["data"]["__schema"]["types"]}
    assert {"Query", "User", "UserConnection", "Role", "Team", "Node"} <= types


def test_graphiql_is_served_to_browsers(alpha: TenantFixture):
    response = alpha.client(None).get("/graphql/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_an_operation_deeper_than_the_limit_is_refused(alpha: TenantFixture):
    nested = "{ me " * MAX_DEPTH + "{ email }" + " }" * MAX_DEPTH  # MAX_DEPTH + 1 levels

    response = post_graphql(alpha.client(), nested)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert {
        "message": f"The operation is {MAX_DEPTH + 1} levels deep; the limit is {MAX_DEPTH}.",
        "locations": [{"line": 1, "column": 1}],
        "extensions": {"code": "DEPTH_LIMIT_EXCEEDED"},
    } in response.json()["errors"]


def test_the_depth_limit_counts_fragments_and_admits_the_limit_itself():
    schema = build_schema("type Query { person: Person } type Person { name: String friend: Person }")
    rules = validation_rules(signed_in=True)

    def query(depth: int) -> str:  # person > (depth - 2) x friend > name, through a fragment
        return (
            "{ ...Deep } fragment Deep on Query { person " + "{ friend " * (depth - 2) + "{ name }" + " }" * (depth - 1)
        )

    assert validate(schema, parse(query(MAX_DEPTH)), rules) == []
    assert [error.message for error in validate(schema, parse(query(MAX_DEPTH + 1)), rules)] == [
        f"The operation is {MAX_DEPTH + 1} levels deep; the limit is {MAX_DEPTH}."
    ]


def test_too_many_aliases_are_refused_and_the_limit_itself_is_served(alpha: TenantFixture):
    client = alpha.client()

    def aliased(count: int) -> str:
        return "query Many { " + " ".join(f"a{number}: me {{ email }}" for number in range(count)) + " }"

    at_limit = post_graphql(client, aliased(MAX_ALIASES))
    over_limit = post_graphql(client, aliased(MAX_ALIASES + 1))

    assert at_limit.status_code == 200
    assert len(at_limit.json()["data"]) == MAX_ALIASES
    assert over_limit.status_code == 400
    assert over_limit.json() == {
        "errors": [
            {
                "message": f'Operation "Many" uses {MAX_ALIASES + 1} aliases; the limit is {MAX_ALIASES}.',
                "locations": [{"line": 1, "column": 1}],
                "extensions": {"code": "ALIAS_LIMIT_EXCEEDED"},
            }
        ]
    }


def test_aliases_are_counted_through_every_fragment_spread(alpha: TenantFixture):
    spreads = " ".join(f"f{number}: me {{ ...Twice }}" for number in range(3))
    twice = " ".join(f"a{number}: email" for number in range(MAX_ALIASES // 3))
    query = f"{{ {spreads} }} fragment Twice on User {{ {twice} }}"  # 3 + 3 * MAX_ALIASES // 3 aliases

    response = post_graphql(alpha.client(), query)

    assert response.status_code == 400
    assert _messages(response) == [
        f"The operation uses {3 + MAX_ALIASES // 3 * 3} aliases; the limit is {MAX_ALIASES}."
    ]


def test_a_batch_of_operations_runs_each_one(alpha: TenantFixture):
    batch = [{"id": "1", "query": "{ me { email } }"}, {"id": "2", "query": "{ users { totalCount } }"}]

    response = alpha.client().post("/graphql/", batch, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == [
        {"data": {"me": {"email": ADMIN_EMAIL}}, "id": "1", "status": 200},
        {"data": {"users": {"totalCount": 2}}, "id": "2", "status": 200},
    ]


def test_a_batch_larger_than_the_limit_is_refused_whole(alpha: TenantFixture):
    batch = [{"query": "{ me { email } }"}] * (MAX_BATCH + 1)

    response = alpha.client().post("/graphql/", batch, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": f"A batch may contain at most {MAX_BATCH} operations; this one has {MAX_BATCH + 1}."}]
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ me { email ", "Syntax Error: Expected Name, found <EOF>."),
        ("{ me { ...Missing } }", "Unknown fragment 'Missing'."),
        ("{ me { password } }", "Cannot query field 'password' on type 'User'."),
        ("{ me { email } } { me { email } }", "This anonymous operation must be the only defined operation."),
        ("{ me { ...Loop } } fragment Loop on User { ...Loop }", "Cannot spread fragment 'Loop' within itself."),
    ],
)
def test_malformed_documents_are_400_errors_and_the_standard_rules_apply(
    alpha: TenantFixture, query: str, message: str
):
    response = post_graphql(alpha.client(), query)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert message in _messages(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ me { email } }" + " " * MAX_SOURCE_LENGTH, f"more than {MAX_SOURCE_LENGTH} code points"),
        ("{ me { " + "email " * MAX_LEXICAL_TOKENS + "} }", f"more than {MAX_LEXICAL_TOKENS} tokens"),
        ("{ me " * 2_000 + "}" * 2_000, "nested too deeply"),
        (  # a chain of fragments, each a few tokens, nests deeper than validation goes
            "{ me { ...F0 } } fragment F300 on User { email } "
            + " ".join(f"fragment F{number} on User {{ ...F{number + 1} }}" for number in range(300)),
            "Validation aborted.",
        ),
    ],
    ids=["long", "many-tokens", "deep-nesting", "fragment-chain"],
)
def test_huge_documents_are_refused_with_a_graphql_error(alpha: TenantFixture, query: str, message: str):
    response = post_graphql(alpha.client(), query)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert message in _messages(response)[-1]


@pytest.mark.parametrize("body", ["not json", "[]", '"a string"', '[{"query": "{ me { email } }"}, 3]'])
def test_malformed_request_bodies_are_400_errors(alpha: TenantFixture, body: str):
    response = alpha.client().post("/graphql/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_a_mutation_over_get_is_not_allowed(alpha: TenantFixture):
    response = alpha.client().get("/graphql/", {"query": "mutation { anything }"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 405
    assert _messages(response) == ["Can only perform a mutation operation from a POST request."]


def test_graphql_posts_need_a_csrf_token_with_session_auth(alpha: TenantFixture):
    client = alpha.client(ADMIN_EMAIL, enforce_csrf_checks=True)

    response = post_graphql(client, "{ me { email } }")

    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert ADMIN_EMAIL.encode() not in response.content


class _Failing(graphene.ObjectType):
    boom = graphene.String()

    def resolve_boom(self, info):
        raise RuntimeError("connection to 10.0.0.7 failed: password hunter2")


FAILING_SCHEMA = graphene.Schema(query=_Failing)


def test_an_unexpected_resolver_error_reaches_sentry_and_the_client_sees_a_generic_message(
    alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch
):
    reported: list[BaseException] = []
    monkeypatch.setattr("api.graphql.views.sentry_sdk.capture_exception", reported.append)

    response = run_graphql_view(alpha, FAILING_SCHEMA, "{ boom }")

    assert response.status_code == 200
    assert b"hunter2" not in response.content
    assert json.loads(response.content) == {
        "data": {"boom": None},
        "errors": [
            {
                "message": "Internal server error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["boom"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }
    assert [str(error) for error in reported] == ["connection to 10.0.0.7 failed: password hunter2"]


def test_errors_raised_on_purpose_are_not_reported(alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch):
    reported: list[BaseException] = []
    monkeypatch.setattr("api.graphql.views.sentry_sdk.capture_exception", reported.append)

    anonymous = post_graphql(alpha.client(None), "{ me { email } }")
    invalid = post_graphql(alpha.client(), "{ me { password } }")

    assert errors_of(anonymous) == [("Not authenticated.", "UNAUTHENTICATED")]
    [(message, code)] = errors_of(invalid)
    assert (message.startswith("Cannot query field 'password' on type 'User'."), code) == (True, None)
    assert reported == []


def errors_of(response: Any) -> list[tuple[str, str | None]]:
    """Each error's message and code."""
    return [
        (error["message"], error.get("extensions", {}).get("code")) for error in json.loads(response.content)["errors"]
    ]


def test_reporting_without_sentry_configured_is_a_no_op(alpha: TenantFixture):
    response = run_graphql_view(alpha, FAILING_SCHEMA, "{ boom }")

    assert json.loads(response.content)["errors"][0]["message"] == "Internal server error."
