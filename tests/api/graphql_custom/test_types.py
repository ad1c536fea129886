"""GraphQL: a tenant's custom fields read as typed fields of ``custom`` on its record types."""

from graphql_relay import to_global_id

from api.graphql.schema import schema
from tests.api.graphql_custom.conftest import Define
from tests.api.helpers import post_graphql
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture

REGION_OPTIONS = [{"value": "north", "label": "North"}, {"value": "south-east", "label": "South-east"}]
CHANNEL_OPTIONS = [{"value": "web", "label": "Web"}, {"value": "1-phone", "label": "Phone"}]

CONTACT_CUSTOM = """
query($id: ID!) {
  node(id: $id) {
    ... on Contact {
      custom {
        nickname headcount ratio budget { amount currency } birthday lastSeen isVip region channels
        accountManager { email } employer { name } notSet
      }
    }
  }
}
"""
TYPE_FIELDS = """
query($name: String!) {
  __type(name: $name) {
    name description
    fields { name description type { kind name ofType { kind name ofType { kind name } } } }
    inputFields { name description type { kind name ofType { kind name ofType { kind name } } } }
    enumValues { name description }
  }
}
"""


def define_every_type(define: Define) -> None:
    define("contact", "nickname", "text", help_text="What friends call them.")
    define("contact", "headcount", "number")
    define("contact", "ratio", "decimal")
    define("contact", "budget", "money", currency="EUR")
    define("contact", "birthday", "date")
    define("contact", "last_seen", "datetime")
    define("contact", "is_vip", "boolean")
    define("contact", "region", "single_select", options=REGION_OPTIONS, help_text="Sales region.")
    define("contact", "channels", "multi_select", options=CHANNEL_OPTIONS)
    define("contact", "account_manager", "user")
    define("contact", "employer", "reference", reference_entity="company")
    define("contact", "not_set", "email")


def test_every_type_family_reads_as_its_graphql_type(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define_every_type(define)
        employer = CompanyFactory(name="Acme", owner=admin)
        contact = ContactFactory(
            owner=admin,
            custom={
                "nickname": "Ana",
                "headcount": 9_007_199_254_740_991,
                "ratio": "0.125",
                "budget": {"amount": "1500.50", "currency": "USD"},
                "birthday": "1990-04-01",
                "last_seen": "2026-05-01T07:30:00Z",
                "is_vip": True,
                "region": "south-east",
                "channels": ["1-phone", "web"],
                "account_manager": admin.pk,
                "employer": employer.pk,
            },
        )

    response = post_graphql(alpha.client(), CONTACT_CUSTOM, {"id": to_global_id("Contact", contact.pk)})

    assert response.json() == {
        "data": {
            "node": {
                "custom": {
                    "nickname": "Ana",
                    "headcount": 9_007_199_254_740_991,
                    "ratio": "0.125",
                    "budget": {"amount": "1500.50", "currency": "USD"},
                    "birthday": "1990-04-01",
                    "lastSeen": "2026-05-01T07:30:00+00:00",
                    "isVip": True,
                    "region": "SOUTH_EAST",
                    "channels": ["OPTION_1_PHONE", "WEB"],
                    "accountManager": {"email": admin.email},
                    "employer": {"name": "Acme"},
                    "notSet": None,
                }
            }
        }
    }


def test_values_the_definition_no_longer_allows_and_records_out_of_sight_read_as_null(
    alpha: TenantFixture, define: Define
):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        define_every_type(define)
        hidden_employer = CompanyFactory(name="Admin's own", owner=admin)  # a rep sees only their own records
        contact = ContactFactory(
            owner=rep,
            custom={
                "region": "west",  # an option since removed
                "channels": ["web", "fax"],
                "birthday": "not a date",
                "employer": hidden_employer.pk,
                "account_manager": 999_999,  # a user since deleted
            },
        )

    response = post_graphql(alpha.client(REP_EMAIL), CONTACT_CUSTOM, {"id": to_global_id("Contact", contact.pk)})

    custom = response.json()["data"]["node"]["custom"]
    assert "errors" not in response.json()
    assert (custom["region"], custom["channels"], custom["birthday"]) == (None, ["WEB"], None)
    assert (custom["employer"], custom["accountManager"]) == (None, None)


def test_names_descriptions_and_enum_values_come_from_the_definitions(alpha: TenantFixture, define: Define):
    with alpha.active():
        define_every_type(define)
    client = alpha.client()

    def type_info(name: str) -> dict:
        return post_graphql(client, TYPE_FIELDS, {"name": name}).json()["data"]["__type"]

    output, input_type, region = (
        type_info("ContactCustomFields"),
        type_info("ContactCustomFieldsInput"),
        type_info("ContactCustomRegionOption"),
    )
    contact_fields = {field["name"]: field for field in type_info("Contact")["fields"]}
    contact_input = {field["name"]: field for field in type_info("ContactInput")["inputFields"]}

    assert [field["name"] for field in output["fields"]] == [
        "nickname", "headcount", "ratio", "budget", "birthday", "lastSeen", "isVip", "region", "channels",
        "accountManager", "employer", "notSet",
    ]  # fmt: skip
    by_name = {field["name"]: field for field in output["fields"]}
    assert by_name["nickname"]["description"] == "What friends call them."
    assert {name: by_name[name]["type"]["name"] for name in ("headcount", "ratio", "birthday", "lastSeen")} == {
        "headcount": "SafeInt",
        "ratio": "Decimal",
        "birthday": "Date",
        "lastSeen": "DateTime",
    }
    assert [by_name[name]["type"]["name"] for name in ("isVip", "budget", "accountManager", "employer")] == [
        "Boolean",
        "Money",
        "User",
        "Company",
    ]
    assert by_name["channels"]["type"] == {
        "kind": "LIST",
        "name": None,
        "ofType": {"kind": "NON_NULL", "name": None, "ofType": {"kind": "ENUM", "name": "ContactCustomChannelsOption"}},
    }
    assert region["description"] == "Sales region."
    assert region["enumValues"] == [
        {"name": "NORTH", "description": "North"},
        {"name": "SOUTH_EAST", "description": "South-east"},
    ]
    input_by_name = {field["name"]: field["type"] for field in input_type["inputFields"]}
    assert (input_by_name["budget"]["name"], input_by_name["accountManager"]["name"]) == ("MoneyInput", "ID")
    assert input_by_name["region"]["name"] == "ContactCustomRegionOption"
    assert contact_fields["custom"]["type"] == {
        "kind": "NON_NULL",
        "name": None,
        "ofType": {"kind": "OBJECT", "name": "ContactCustomFields", "ofType": None},
    }
    assert contact_input["custom"]["type"] == {
        "kind": "INPUT_OBJECT",
        "name": "ContactCustomFieldsInput",
        "ofType": None,
    }


def test_every_record_type_gets_custom_for_the_fields_of_its_entity(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        for entity in ("company", "contact", "lead", "deal", "activity"):
            define(entity, f"{entity}_note", "text")
        CompanyFactory(owner=admin, custom={"company_note": "c"})
        ContactFactory(owner=admin, custom={"contact_note": "p"})
        LeadFactory(owner=admin, custom={"lead_note": "l"})
        DealFactory(owner=admin, custom={"deal_note": "d"})
        ActivityFactory(assignee=admin, custom={"activity_note": "a"})

    response = post_graphql(
        alpha.client(),
        """{
          companies { edges { node { custom { companyNote } } } }
          contacts { edges { node { custom { contactNote } } } }
          leads { edges { node { custom { leadNote } } } }
          deals { edges { node { custom { dealNote } } } }
          activities { edges { node { custom { activityNote } } } }
        }""",
    )

    assert response.json() == {
        "data": {
            "companies": {"edges": [{"node": {"custom": {"companyNote": "c"}}}]},
            "contacts": {"edges": [{"node": {"custom": {"contactNote": "p"}}}]},
            "leads": {"edges": [{"node": {"custom": {"leadNote": "l"}}}]},
            "deals": {"edges": [{"node": {"custom": {"dealNote": "d"}}}]},
            "activities": {"edges": [{"node": {"custom": {"activityNote": "a"}}}]},
        }
    }


def test_only_entities_with_fields_get_custom_and_archived_fields_are_left_out(alpha: TenantFixture, define: Define):
    with alpha.active():
        define("deal", "segment", "text")
        define("deal", "old_code", "text", archived_at="2026-01-01T00:00:00Z")
    client = alpha.client()

    def field_names(name: str) -> list[str]:
        found = post_graphql(client, TYPE_FIELDS, {"name": name}).json()["data"]["__type"]
        return [field["name"] for field in (found["fields"] or found["inputFields"])]

    assert field_names("DealCustomFields") == ["segment"]
    assert "custom" in field_names("Deal")
    assert "custom" in field_names("DealInput")
    assert "custom" not in field_names("Company")
    assert "custom" not in field_names("CompanyInput")
    assert post_graphql(client, TYPE_FIELDS, {"name": "CompanyCustomFields"}).json()["data"]["__type"] is None


def test_a_tenant_without_fields_is_served_the_printable_base_schema(alpha: TenantFixture):
    printed = str(schema)

    response = post_graphql(alpha.client(), "{ companies { edges { node { custom { x } } } } }")

    assert response.json()["errors"][0]["message"] == "Cannot query field 'custom' on type 'Company'."
    assert "CustomFields" not in printed
    assert "customFilter: [CustomFieldFilter!]" in printed
    assert "customOrderBy: CustomFieldOrder" in printed


def test_fields_that_cannot_be_typed_are_left_out_and_the_schema_stays_valid(alpha: TenantFixture, define: Define):
    with alpha.active():
        define("contact", "nickname", "text")
        define("contact", "mood", "single_select", options=[])
        define("company", "size_band", "multi_select", options=[])
    client = alpha.client()

    contact_fields = post_graphql(client, TYPE_FIELDS, {"name": "ContactCustomFields"}).json()
    company_fields = post_graphql(client, TYPE_FIELDS, {"name": "Company"}).json()

    assert [field["name"] for field in contact_fields["data"]["__type"]["fields"]] == ["nickname"]
    assert "custom" not in [field["name"] for field in company_fields["data"]["__type"]["fields"]]
