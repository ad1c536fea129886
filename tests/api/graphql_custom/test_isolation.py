"""GraphQL: one tenant's custom fields are nowhere in another tenant's schema, and its records
stay out of reach through them."""

from graphql_relay import to_global_id

from modules.contacts.models import Contact
from tests.api.graphql_custom.conftest import Define
from tests.api.helpers import post_graphql
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture, schema_snapshot

TYPES = "{ __schema { types { name } } }"
CONTACT_FIELDS = '{ __type(name: "ContactCustomFields") { fields { name } } }'


def type_names(client) -> set[str]:
    return {item["name"] for item in post_graphql(client, TYPES).json()["data"]["__schema"]["types"]}


def test_each_tenants_custom_types_and_fields_are_its_own(alpha: TenantFixture, beta: TenantFixture, define: Define):
    options = [{"value": "gold", "label": "Gold"}]
    with alpha.active():
        define("contact", "alpha_secret", "text")
        define("company", "alpha_level", "single_select", options=options)
    with beta.active():
        define("contact", "beta_only", "text")
    alpha_client, beta_client = alpha.client(), beta.client()

    alpha_types, beta_types = type_names(alpha_client), type_names(beta_client)
    alpha_fields = post_graphql(alpha_client, CONTACT_FIELDS).json()["data"]["__type"]["fields"]
    beta_fields = post_graphql(beta_client, CONTACT_FIELDS).json()["data"]["__type"]["fields"]

    assert alpha_fields == [{"name": "alphaSecret"}]
    assert beta_fields == [{"name": "betaOnly"}]
    assert {"CompanyCustomFields", "CompanyCustomAlphaLevelOption"} <= alpha_types
    assert {"CompanyCustomFields", "CompanyCustomAlphaLevelOption"}.isdisjoint(beta_types)
    assert alpha_types - beta_types == {
        "CompanyCustomFields",
        "CompanyCustomFieldsInput",
        "CompanyCustomAlphaLevelOption",
    }
    assert beta_types - alpha_types == set()


def test_beta_reaches_nothing_of_alpha_through_custom_fields(alpha: TenantFixture, beta: TenantFixture, define: Define):
    with alpha.active():
        define("contact", "alpha_secret", "text")
        secret = ContactFactory(owner=alpha.user(), custom={"alpha_secret": "launch codes"})
    with beta.active():
        define("contact", "beta_only", "text")
        assert not Contact.objects.filter(pk=secret.pk).exists()
    intruder = beta.client()
    before = schema_snapshot(alpha.tenant)

    node = post_graphql(
        intruder,
        "query($id: ID!) { node(id: $id) { ... on Contact { custom { betaOnly } } } }",
        {"id": to_global_id("Contact", secret.pk)},
    ).json()
    filtered = post_graphql(
        intruder, '{ contacts(customFilter: [{key: "alpha_secret", op: EQ, value: "launch codes"}]) { totalCount } }'
    ).json()
    ordered = post_graphql(intruder, '{ contacts(customOrderBy: {key: "alpha_secret"}) { totalCount } }').json()
    read_field = post_graphql(intruder, "{ contacts { edges { node { custom { alphaSecret } } } } }").json()
    write_field = post_graphql(
        intruder,
        'mutation { contactCreate(input: {lastName: "Spy", custom: {alphaSecret: "x"}}) { errors { field } } }',
    ).json()

    assert node == {"data": {"node": None}}
    assert filtered["data"] == {"contacts": None}
    assert filtered["errors"][0]["message"] == "custom.alpha_secret: There is no custom field with this key."
    assert filtered["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "custom.alpha_secret"}
    assert ordered["errors"][0]["extensions"]["field"] == "custom.alpha_secret"
    assert read_field["errors"][0]["message"] == "Cannot query field 'alphaSecret' on type 'ContactCustomFields'."
    assert "data" not in read_field
    assert write_field["errors"][0]["message"].startswith("Field 'alphaSecret' is not defined by type")
    assert schema_snapshot(alpha.tenant) == before
    with beta.active():
        assert Contact.objects.count() == 0
