"""GraphQL: each tenant's schema is built once per definitions version and cached; a page of
records with custom fields costs the same queries for 5 rows as for 50."""

import graphene
import pytest

from api.graphql.custom_fields.schema import SchemaCache, cache, schema_for_tenant
from api.graphql.schema import schema as base_schema
from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import bump_definitions_version
from tests.api.graphql_custom.conftest import Define
from tests.api.helpers import create_users, post_graphql
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture

FIELD_NAMES = '{ __type(name: "CompanyCustomFields") { fields { name } } }'
COMPANIES = """
query($first: Int) {
  companies(first: $first) {
    edges { node { name tags { name } custom { tier manager { email teams { name } } parent { name } } } }
  }
}
"""
CONTACT_COMPANIES = """
query($first: Int) {
  contacts(first: $first) { edges { node { company { custom { manager { email } } } } } }
}
"""


def test_the_schema_is_cached_per_version_and_rebuilt_after_a_definition_change(alpha: TenantFixture, define: Define):
    client = alpha.client()
    with alpha.active():
        define("company", "tier", "text")
        first = schema_for_tenant(alpha.tenant)
        again = schema_for_tenant(alpha.tenant)

    before = post_graphql(client, FIELD_NAMES).json()
    with alpha.active():
        define("company", "parent", "reference", reference_entity="company")
        CustomFieldDefinition.objects.filter(key="tier").update(label="Tier")  # without a bump: not seen
        rebuilt = schema_for_tenant(alpha.tenant)
    after = post_graphql(client, FIELD_NAMES).json()

    assert again is first
    assert rebuilt is not first
    assert before == {"data": {"__type": {"fields": [{"name": "tier"}]}}}
    assert after == {"data": {"__type": {"fields": [{"name": "tier"}, {"name": "parent"}]}}}


def test_archiving_every_field_falls_back_to_the_base_schema(alpha: TenantFixture, define: Define):
    with alpha.active():
        define("company", "tier", "text")
        CustomFieldDefinition.objects.update(archived_at="2026-01-01T00:00:00Z")
        bump_definitions_version()
        served = schema_for_tenant(alpha.tenant)

    assert served is base_schema


def test_the_cache_keeps_the_most_recently_used_schemas_only():
    schemas = SchemaCache(size=2)
    one, two, three = (graphene.Schema(query=base_schema.query) for _ in range(3))

    schemas.put((1, "alpha", 1), one)
    schemas.put((2, "beta", 1), two)
    assert schemas.get((1, "alpha", 1)) is one  # alpha is now the most recent
    schemas.put((3, "gamma", 1), three)

    assert [schemas.get(key) for key in ((1, "alpha", 1), (2, "beta", 1), (3, "gamma", 1))] == [one, None, three]


@pytest.mark.parametrize("rows", [5, 50])
def test_a_page_with_user_and_reference_fields_takes_the_same_queries_for_5_and_50_rows(
    alpha: TenantFixture, define: Define, rows: int, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        define("company", "tier", "text")
        define("company", "manager", "user")
        define("company", "parent", "reference", reference_entity="company")
        parent = CompanyFactory(name="Holding", owner=admin)
        for number in range(rows - 1):
            CompanyFactory(owner=admin, custom={"tier": f"t{number}", "manager": admin.pk, "parent": parent.pk})
    client = alpha.client()
    post_graphql(client, FIELD_NAMES)  # builds and caches the tenant's schema

    # search_path, domain, search_path, session, user, definitions version, COUNT, page, its tags,
    # the managers with their teams, the parents with their tags
    with django_assert_max_num_queries(13):
        body = post_graphql(client, COMPANIES, {"first": 50}).json()

    edges = body["data"]["companies"]["edges"]
    assert len(edges) == rows
    assert edges[-1]["node"]["custom"] == {
        "tier": f"t{rows - 2}",
        "manager": {"email": admin.email, "teams": [{"name": "Field sales"}]},
        "parent": {"name": "Holding"},
    }
    assert len(cache.schemas) == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_links_of_records_a_page_brings_along_load_together_too(
    alpha: TenantFixture, define: Define, rows: int, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        define("company", "manager", "user")
        managers = create_users(rows, prefix="manager")
        for manager in managers:
            ContactFactory(owner=admin, company=CompanyFactory(owner=admin, custom={"manager": manager.pk}))
    client = alpha.client()
    post_graphql(client, FIELD_NAMES)  # builds and caches the tenant's schema

    # search_path, domain, search_path, session, user, definitions version, COUNT, page, its tags, the
    # companies with their tags, the managers with their teams
    with django_assert_max_num_queries(13):
        body = post_graphql(client, CONTACT_COMPANIES, {"first": 50}).json()

    assert [edge["node"]["company"]["custom"]["manager"]["email"] for edge in body["data"]["contacts"]["edges"]] == [
        manager.email for manager in managers
    ]
