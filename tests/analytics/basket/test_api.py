"""The rules through REST and GraphQL: the figures, the scope and permissions, other tenants, bad
parameters and query counts."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.tenancy import REP_EMAIL, TenantFixture, grant

URL = "/api/v1/analytics/basket/rules/"
QUERY = """query($product: ID, $minLift: Decimal, $sort: BasketRuleSort, $page: Int) {
  basketRules(product: $product, minLift: $minLift, sort: $sort, page: $page) {
    dataAsOf ordersAnalysed totalCount page pages
    rules { antecedent { name } consequent { name } support confidence lift ruleCount antecedentCount consequentCount }
  }
}"""
READ = ("analytics:read", "sales:read")


def test_rest_answers_the_six_rules_with_their_counts(alpha: TenantFixture, mined_alpha):
    _key, token = issue_key(alpha, scopes=READ)

    response = bearer_client(alpha, token).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["orders_analysed"], body["pages"]) == (6, 9, 1)
    assert body["data_as_of"] is not None
    first = body["results"][0]
    assert [p["name"] for p in first["antecedent"]] == ["HK I5"]
    assert [p["name"] for p in first["consequent"]] == ["HK I1", "HK I2"]
    assert (first["rule_count"], first["antecedent_count"], first["consequent_count"]) == (2, 2, 4)
    assert first["confidence"] == 1.0
    assert first["lift"] == pytest.approx(9 / 4)
    assert first["support"] == pytest.approx(2 / 9)


def test_rest_filters_by_product(alpha: TenantFixture, mined_alpha):
    _key, token = issue_key(alpha, scopes=READ)

    body = bearer_client(alpha, token).get(URL, {"product": mined_alpha["I4"].pk}).json()

    assert [([p["name"] for p in r["antecedent"]], [p["name"] for p in r["consequent"]]) for r in body["results"]] == [
        (["HK I4"], ["HK I2"])
    ]


@pytest.mark.parametrize(("field", "value"), [("min_lift", "-1"), ("sort", "name"), ("page", "x")])
def test_rest_bad_parameters_are_a_400_naming_them(alpha: TenantFixture, field: str, value: str):
    _key, token = issue_key(alpha, scopes=READ)

    response = bearer_client(alpha, token).get(URL, {field: value})

    assert response.status_code == 400
    assert field in response.content.decode()


def test_rest_needs_the_analytics_scope_and_permission(alpha: TenantFixture, mined_alpha):
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    _key, rep_key = issue_key(alpha, email=REP_EMAIL, scopes=READ, name="Rep")

    without_scope = bearer_client(alpha, sales_only).get(URL)
    without_permission = bearer_client(alpha, rep_key).get(URL)

    assert without_scope.status_code == 403
    assert "analytics:read" in without_scope.json()["detail"]
    assert without_permission.status_code == 403


def test_another_tenants_key_reads_its_own_rules_only(alpha: TenantFixture, beta: TenantFixture, mined_alpha):
    _key, token = issue_key(beta, scopes=READ)

    body = bearer_client(beta, token).get(URL).json()
    with_alpha_product = bearer_client(beta, token).get(URL, {"product": mined_alpha["I5"].pk}).json()

    assert body["count"] == 0
    assert with_alpha_product["count"] == 0
    assert bearer_client(alpha, token).get(URL).status_code == 401


@pytest.mark.parametrize("count", [5, 50])
def test_rest_reads_a_fixed_number_of_queries(alpha: TenantFixture, many_rules, django_assert_max_num_queries, count):
    many_rules(count)
    _key, token = issue_key(alpha, scopes=READ)
    client = bearer_client(alpha, token)
    client.get(URL)

    with django_assert_max_num_queries(10):
        assert len(client.get(URL).json()["results"]) == count


def test_graphql_answers_the_same_rules(alpha: TenantFixture, mined_alpha):
    _key, token = issue_key(alpha, scopes=READ)

    response = post_graphql(
        bearer_client(alpha, token), QUERY, {"product": to_global_id("Product", mined_alpha["I4"].pk)}
    )

    body = response.json()
    assert "errors" not in body, body
    rules = body["data"]["basketRules"]
    assert (rules["totalCount"], rules["ordersAnalysed"]) == (1, 9)
    assert rules["rules"] == [
        {
            "antecedent": [{"name": "HK I4"}],
            "consequent": [{"name": "HK I2"}],
            "support": pytest.approx(2 / 9),
            "confidence": 1.0,
            "lift": pytest.approx(9 / 7),
            "ruleCount": 2,
            "antecedentCount": 2,
            "consequentCount": 7,
        }
    ]


@pytest.mark.parametrize(
    ("variables", "field"),
    [({"minLift": "-2"}, "min_lift"), ({"page": 0}, "page"), ({"product": "bm90IGFuIGlk"}, "product")],
)
def test_graphql_bad_arguments_name_the_field(alpha: TenantFixture, variables: dict, field: str):
    response = post_graphql(alpha.client(), QUERY, variables)

    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == field


def test_graphql_another_tenants_product_is_refused(alpha: TenantFixture, beta: TenantFixture, mined_alpha):
    response = post_graphql(beta.client(), QUERY, {"product": to_global_id("Product", mined_alpha["I5"].pk)})

    assert response.json()["errors"][0]["extensions"]["field"] == "product"


def test_graphql_needs_the_scope_and_the_permission(alpha: TenantFixture, mined_alpha):
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    grant(alpha, "sales_rep", "sales.view")

    without_scope = post_graphql(bearer_client(alpha, sales_only), QUERY).json()
    without_permission = post_graphql(alpha.client(REP_EMAIL), QUERY).json()

    assert without_scope["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert without_permission["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("count", [5, 50])
def test_graphql_reads_a_fixed_number_of_queries(
    alpha: TenantFixture, many_rules, django_assert_max_num_queries, count
):
    many_rules(count)
    client = alpha.client()
    post_graphql(client, QUERY)

    with django_assert_max_num_queries(12):
        body = post_graphql(client, QUERY).json()

    assert len(body["data"]["basketRules"]["rules"]) == count
