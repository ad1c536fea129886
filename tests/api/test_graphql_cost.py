"""GraphQL: an operation is refused before it runs when it may return more records than MAX_COST
(page sizes multiplied through nested connections, summed over aliases) or when a text argument
of a query is longer than its bound; callers who may not introspect get no "Did you mean"."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.graphql.cost import MAX_COST
from api.input_limits import MAX_FILTER_TEXT
from modules.contacts.models import Contact
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture

TIMELINES = "contacts(first: %(outer)s) { edges { node { id timeline(first: %(inner)s) { edges { node { id } } } } } }"


def _aliases(count: int, outer: int = 100, inner: int = 100) -> str:
    return "{ " + " ".join(f"a{n}: " + TIMELINES % {"outer": outer, "inner": inner} for n in range(count)) + " }"


def test_aliases_of_nested_connections_are_refused_by_their_product_of_page_sizes(alpha: TenantFixture):
    client = alpha.client()

    with CaptureQueriesContext(connection) as queries:
        response = post_graphql(client, _aliases(10))

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "This operation may return 101,000 records; the limit is 10,000. Ask for smaller pages "
            "(first/last) or fewer nested connections.",
            "locations": [{"line": 1, "column": 1}],
            "extensions": {"code": "COST_LIMIT_EXCEEDED", "cost": 101_000},
        }
    ]
    assert not [query for query in queries.captured_queries if "contacts_contact" in query["sql"]]


def test_a_connection_without_first_counts_at_the_largest_page(alpha: TenantFixture):
    query = "{ contacts { edges { node { id timeline { edges { node { id } } } } } } }"

    response = post_graphql(alpha.client(), query)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 10_100}


def test_page_sizes_given_as_variables_and_fragments_count_too(alpha: TenantFixture):
    query = """
        query Pages($outer: Int, $inner: Int) { contacts(first: $outer) { ...Rows } }
        fragment Rows on ContactConnection { edges { node { timeline(first: $inner) { edges { node { id } } } } } }
    """

    refused = post_graphql(alpha.client(), query, {"outer": 100, "inner": 100})
    admitted = post_graphql(alpha.client(), query, {"outer": 10, "inner": 10})

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 10_100}
    assert admitted.status_code == 200
    assert admitted.json() == {"data": {"contacts": {"edges": []}}}


def test_an_operation_at_the_cost_limit_runs(alpha: TenantFixture):
    with alpha.active():
        Contact.objects.create(first_name="Ada", last_name="Lovelace")

    response = post_graphql(alpha.client(), _aliases(1, outer=100, inner=99))

    assert MAX_COST == 100 + 100 * 99
    assert response.status_code == 200
    assert len(response.json()["data"]["a0"]["edges"]) == 1


def test_a_search_longer_than_the_bound_is_refused_naming_the_argument(alpha: TenantFixture):
    literal = post_graphql(alpha.client(), '{ contacts(search: "%s") { edges { node { id } } } }' % ("x" * 256))
    variable = post_graphql(
        alpha.client(),
        "query Find($text: String) { companies(search: $text) { edges { node { id } } } }",
        {"text": "word " * 10_000},  # 50,000 characters
    )

    assert literal.status_code == 400
    assert literal.json()["errors"] == [
        {
            "message": f"search may be at most {MAX_FILTER_TEXT} characters long; this one has 256.",
            "locations": [{"line": 1, "column": 12}],
            "extensions": {"code": "BAD_USER_INPUT", "field": "search"},
        }
    ]
    assert variable.status_code == 400
    assert variable.json()["errors"] == [
        {
            "message": f"search may be at most {MAX_FILTER_TEXT} characters long; this one has 50000.",
            "locations": [{"line": 1, "column": 39}],
            "extensions": {"code": "BAD_USER_INPUT", "field": "search"},
        }
    ]


def test_a_search_at_the_bound_runs(alpha: TenantFixture):
    response = post_graphql(
        alpha.client(),
        "query Find($text: String) { contacts(search: $text) { edges { node { id } } } }",
        {"text": "x" * MAX_FILTER_TEXT},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"contacts": {"edges": []}}}


def test_anonymous_callers_get_no_suggestions_of_names(alpha: TenantFixture):
    typo_field = "{ contact { id } }"
    typo_enum = "query Sorted($order: ContactOrderBy) { contacts(orderBy: $order) { edges { node { id } } } }"

    anonymous_field = post_graphql(alpha.client(None), typo_field)
    anonymous_enum = post_graphql(alpha.client(None), typo_enum, {"order": "FULL_NAM"})
    signed_in_field = post_graphql(alpha.client(), typo_field)

    assert anonymous_field.status_code == 400
    assert [error["message"] for error in anonymous_field.json()["errors"]] == [
        "Cannot query field 'contact' on type 'Query'."
    ]
    assert anonymous_enum.status_code == 400
    assert [error["message"] for error in anonymous_enum.json()["errors"]] == [
        "Variable '$order' got invalid value 'FULL_NAM'; Value 'FULL_NAM' does not exist in 'ContactOrderBy' enum."
    ]
    assert "Did you mean" in signed_in_field.json()["errors"][0]["message"]
