"""GraphQL: root connections filter by ``customFilter`` and sort by ``customOrderBy``; a bad
condition is a field error naming the key, never a server error."""

from typing import Any

import pytest
from graphql_relay import to_global_id

from modules.contacts.models import Company
from tests.api.graphql_custom.conftest import Define
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, DealFactory, TagFactory
from tests.tenancy import TenantFixture

COMPANIES = """
query($filter: [CustomFieldFilter!], $order: CustomFieldOrder, $orderBy: CompanyOrderBy, $tag: String) {
  companies(customFilter: $filter, customOrderBy: $order, orderBy: $orderBy, tag: $tag) {
    totalCount
    edges { node { name } }
  }
}
"""
OPTIONS = [{"value": "north", "label": "North"}, {"value": "south-east", "label": "South-east"}]


@pytest.fixture
def companies(alpha: TenantFixture, define: Define) -> None:
    admin = alpha.user()
    with alpha.active():
        define("company", "region", "single_select", options=OPTIONS)
        define("company", "tags_of_interest", "multi_select", options=OPTIONS)
        define("company", "employees", "number")
        define("company", "motto", "text")
        define("company", "founded", "date")
        define("company", "budget", "money", currency="EUR")
        define("company", "manager", "user")
        define("company", "is_partner", "boolean")
        for name, custom in [
            ("Acme", {"region": "north", "employees": 50, "motto": "Build it", "founded": "2001-05-01",
                      "budget": {"amount": "100.00", "currency": "EUR"}, "manager": admin.pk, "is_partner": True,
                      "tags_of_interest": ["north", "south-east"]}),
            ("Globex", {"region": "south-east", "employees": 500, "motto": "Sell it", "founded": "1990-01-01",
                        "budget": {"amount": "20.00", "currency": "EUR"}, "tags_of_interest": ["south-east"]}),
            ("Initech", {"region": "north", "employees": 5, "is_partner": False}),
            ("Hooli", {}),
        ]:  # fmt: skip
            CompanyFactory(name=name, owner=admin, custom=custom)


def names(client: Any, **variables: Any) -> list[str]:
    body = post_graphql(client, COMPANIES, variables).json()
    assert "errors" not in body, body
    return [edge["node"]["name"] for edge in body["data"]["companies"]["edges"]]


@pytest.mark.usefixtures("companies")
def test_each_operator_filters_by_the_fields_type(alpha: TenantFixture):
    admin = alpha.user()
    client = alpha.client()

    def where(*conditions: tuple[str, str, Any]) -> list[str]:
        return names(client, filter=[{"key": key, "op": op, "value": value} for key, op, value in conditions])

    assert where(("region", "EQ", "north")) == ["Acme", "Initech"]
    assert where(("region", "EQ", "SOUTH_EAST")) == ["Globex"]  # the enum name works as well as the value
    assert where(("region", "NE", "north")) == ["Globex", "Hooli"]
    assert where(("tags_of_interest", "EQ", "south-east")) == ["Acme", "Globex"]
    assert where(("employees", "GTE", 5), ("employees", "LT", "500")) == ["Acme", "Initech"]
    assert where(("motto", "CONTAINS", "IT")) == ["Acme", "Globex"]
    assert where(("founded", "LT", "2000-01-01")) == ["Globex"]
    assert where(("budget", "GT", 50)) == ["Acme"]
    assert where(("manager", "EQ", to_global_id("User", admin.pk))) == ["Acme"]
    assert where(("is_partner", "EQ", False)) == ["Initech"]
    assert where(("employees", "ISNULL", True)) == ["Hooli"]
    assert where(("region", "EQ", "north"), ("is_partner", "ISNULL", False)) == ["Acme", "Initech"]


@pytest.mark.usefixtures("companies")
def test_custom_order_sorts_empty_values_last_and_order_by_breaks_ties(alpha: TenantFixture):
    client = alpha.client()

    assert names(client, order={"key": "employees"}) == ["Initech", "Acme", "Globex", "Hooli"]
    assert names(client, order={"key": "employees", "direction": "DESC"}) == ["Globex", "Acme", "Initech", "Hooli"]
    assert names(client, order={"key": "budget", "direction": "DESC"}) == ["Acme", "Globex", "Initech", "Hooli"]
    assert names(client, order={"key": "region"}, orderBy="NAME_DESC") == ["Initech", "Acme", "Globex", "Hooli"]


@pytest.mark.usefixtures("companies")
def test_custom_filters_and_order_combine_with_the_other_arguments(alpha: TenantFixture):
    with alpha.active():
        vip = TagFactory(name="vip")
        for company in Company.objects.filter(name__in=["Acme", "Globex", "Initech"]):
            company.tags.add(vip)

    result = names(
        alpha.client(),
        tag="vip",
        filter=[{"key": "employees", "op": "GT", "value": 1}],
        order={"key": "employees", "direction": "DESC"},
    )

    assert result == ["Globex", "Acme", "Initech"]


@pytest.mark.usefixtures("companies")
@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"key": "nope", "op": "EQ", "value": "x"}, "custom.nope: There is no custom field with this key."),
        (
            {"key": "region", "op": "GT", "value": "north"},
            "custom.region: This field can be filtered with: eq, ne, isnull.",
        ),
        ({"key": "region", "op": "EQ", "value": "west"}, "custom.region: Choose one of: north, south-east."),
        ({"key": "employees", "op": "GT", "value": "many"}, "custom.employees: Enter a whole number."),
        ({"key": "founded", "op": "EQ", "value": {"year": 2001}}, "custom.founded: Enter a valid date as YYYY-MM-DD."),
        ({"key": "motto", "op": "EQ"}, "custom.motto: Enter a value to filter by."),
    ],
)
def test_a_bad_condition_is_a_field_error_naming_the_key(alpha: TenantFixture, condition: dict, message: str):
    response = post_graphql(alpha.client(), COMPANIES, {"filter": [condition]})

    assert response.status_code == 200
    assert response.json()["data"] == {"companies": None}
    assert [(error["message"], error["extensions"]) for error in response.json()["errors"]] == [
        (message, {"code": "BAD_USER_INPUT", "field": f"custom.{condition['key']}"})
    ]


@pytest.mark.usefixtures("companies")
def test_sorting_by_an_unknown_key_is_a_field_error(alpha: TenantFixture):
    response = post_graphql(alpha.client(), COMPANIES, {"order": {"key": "shoe_size"}})

    assert response.json()["errors"][0]["message"] == "custom.shoe_size: There is no custom field with this key."
    assert response.json()["data"] == {"companies": None}


def test_every_root_record_connection_takes_custom_filters(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define("deal", "segment", "text")
        DealFactory(name="Small", owner=admin, custom={"segment": "smb"})
        DealFactory(name="Large", owner=admin, custom={"segment": "enterprise"})

    response = post_graphql(
        alpha.client(),
        """{
          deals(customFilter: [{key: "segment", op: EQ, value: "smb"}]) { edges { node { name } } }
          companies(customFilter: [{key: "segment", op: EQ, value: "smb"}]) { totalCount }
        }""",
    )

    assert response.json()["data"] == {"deals": {"edges": [{"node": {"name": "Small"}}]}, "companies": None}
    assert response.json()["errors"][0]["message"] == "custom.segment: There is no custom field with this key."
