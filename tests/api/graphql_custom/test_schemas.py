"""GraphQL: a schema is built once per set of definitions and shared by the tenants that have
it; a page of records with custom fields costs the same queries for 5 rows as for 50."""

from typing import Any

import graphene
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphene.types.schema import TypeMap
from graphql import GraphQLField, GraphQLInputField, GraphQLNonNull, GraphQLSchema, print_schema

from api.graphql.custom_fields.catalog import Catalog
from api.graphql.custom_fields.extension import CUSTOM_INPUT_DESCRIPTION, CUSTOM_OUTPUT_DESCRIPTION
from api.graphql.custom_fields.schema import SchemaCache, build_schema, cache, definitions_digest, tenant_schema
from api.graphql.custom_fields.types import EntityTypes, entity_types
from api.graphql.schema import Mutation, Query
from api.graphql.schema import schema as base_schema
from customization.fields import cache as definitions_cache
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


def test_tenants_with_the_same_definitions_share_one_schema_and_each_reads_its_own_records(
    alpha: TenantFixture, beta: TenantFixture, define: Define
):
    for tenant, tier in ((alpha, "gold"), (beta, "silver")):
        with tenant.active():
            define("company", "tier", "text", position=3)
            CompanyFactory(name=f"{tenant.tenant.slug} Ltd", custom={"tier": tier})
    with alpha.active():
        alpha_schema = tenant_schema()
    with beta.active():
        beta_schema = tenant_schema()
        CustomFieldDefinition.objects.filter(key="tier").update(label="Level")  # a description changes
        relabelled = tenant_schema()

    query = "{ companies { edges { node { name custom { tier } } } } }"
    served = [post_graphql(tenant.client(), query).json() for tenant in (alpha, beta)]

    assert beta_schema is alpha_schema
    assert relabelled is not alpha_schema
    assert served == [
        {"data": {"companies": {"edges": [{"node": {"name": "alpha Ltd", "custom": {"tier": "gold"}}}]}}},
        {"data": {"companies": {"edges": [{"node": {"name": "beta Ltd", "custom": {"tier": "silver"}}}]}}},
    ]


def test_the_schema_is_reused_and_a_definition_change_is_served_at_once(alpha: TenantFixture, define: Define):
    client = alpha.client()
    with alpha.active():
        define("company", "tier", "text")
        first = tenant_schema()
        again = tenant_schema()

    before = post_graphql(client, FIELD_NAMES).json()
    with alpha.active():
        define("company", "parent", "reference", reference_entity="company")
        rebuilt = tenant_schema()
    after = post_graphql(client, FIELD_NAMES).json()

    assert again is first
    assert rebuilt is not first
    assert (cache.hits, cache.misses) == (3, 2)  # again and both requests found what was built
    assert before == {"data": {"__type": {"fields": [{"name": "tier"}]}}}
    assert after == {"data": {"__type": {"fields": [{"name": "tier"}, {"name": "parent"}]}}}


def test_archiving_every_field_falls_back_to_the_base_schema(alpha: TenantFixture, define: Define):
    with alpha.active():
        define("company", "tier", "text")
        CustomFieldDefinition.objects.update(archived_at="2026-01-01T00:00:00Z")
        bump_definitions_version()
        served = tenant_schema()

    assert served is base_schema


def test_a_repeated_request_reads_neither_the_definitions_nor_their_version(
    alpha: TenantFixture, define: Define, settings
):  # type: ignore[no-untyped-def]
    settings.REQUEST_PATH_CACHES = True  # off by default in the suite (crm_platform/settings/test.py)
    definitions_cache.forget_local()
    client = alpha.client()
    with alpha.active():
        define("company", "tier", "text")

    def fields_and_definition_reads() -> tuple[object, int]:
        with CaptureQueriesContext(connection) as queries:
            body = post_graphql(client, FIELD_NAMES).json()
        tables = ('"custom_fields_customfielddefinition"', '"custom_fields_definitionsversion"')
        return body, sum(any(table in query["sql"] for table in tables) for query in queries.captured_queries)

    try:
        first, first_reads = fields_and_definition_reads()
        second, second_reads = fields_and_definition_reads()
        with alpha.active():
            define("company", "region", "text")  # retires the tenant's cached digest in every process
        third, _reads = fields_and_definition_reads()
    finally:
        definitions_cache.forget_local()

    assert first == second == {"data": {"__type": {"fields": [{"name": "tier"}]}}}
    assert (first_reads, second_reads) == (1, 0)
    assert third == {"data": {"__type": {"fields": [{"name": "tier"}, {"name": "region"}]}}}


def test_equal_definitions_have_one_digest_whatever_their_ids_and_positions():
    def tier(pk: int, position: int, **changes: object) -> CustomFieldDefinition:
        fields = {"entity": "company", "key": "tier", "label": "Tier", "field_type": "text", **changes}
        return CustomFieldDefinition(pk=pk, position=position, **fields)

    digest = definitions_digest([tier(1, 0)])

    assert definitions_digest([tier(7, 5)]) == digest
    assert definitions_digest([tier(1, 0, help_text="Their size")]) != digest
    assert definitions_digest([tier(1, 0, required=True)]) != digest
    assert definitions_digest([tier(1, 0, field_type="single_select")]) == ""  # a select without options is not exposed
    assert definitions_digest([]) == ""


def test_the_cache_keeps_the_most_recently_used_schemas_only():
    schemas = SchemaCache(size=2)
    one, two, three = (graphene.Schema(query=base_schema.query) for _ in range(3))

    schemas.put("one", one)
    schemas.put("two", two)
    assert schemas.get("one") is one  # "one" is now the most recent
    schemas.put("three", three)

    assert [schemas.get(key) for key in ("one", "two", "three")] == [one, None, three]
    assert (schemas.hits, schemas.misses) == (3, 1)


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

    # search_path, domain, search_path, session, user, definitions (their digest), COUNT, page, its tags,
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

    # search_path, domain, search_path, session, user, definitions (their digest), COUNT, page, its tags, the
    # companies with their tags, the managers with their teams
    with django_assert_max_num_queries(13):
        body = post_graphql(client, CONTACT_COMPANIES, {"first": 50}).json()

    assert [edge["node"]["company"]["custom"]["manager"]["email"] for edge in body["data"]["contacts"]["edges"]] == [
        manager.email for manager in managers
    ]


class GrapheneBuiltTypeMap(TypeMap):
    """graphene building a whole tenant schema from the classes, adding ``custom`` as it goes: what
    the tenant schema built from the base schema's types must equal."""

    def __init__(self, *args: Any, entities: dict[str, EntityTypes], **kwargs: Any) -> None:
        self.entities = entities
        super().__init__(*args, **kwargs)

    def create_fields_for_type(self, graphene_type: Any, is_input_type: bool = False) -> dict[str, Any]:
        fields: dict[str, Any] = super().create_fields_for_type(graphene_type, is_input_type)
        types = self.entities.get(getattr(graphene_type, "custom_fields_entity", ""))
        if types is not None and is_input_type:
            fields["custom"] = GraphQLInputField(self.add_type(types.input), description=CUSTOM_INPUT_DESCRIPTION)
        elif types is not None:
            fields["custom"] = GraphQLField(
                GraphQLNonNull(self.add_type(types.output)), description=CUSTOM_OUTPUT_DESCRIPTION
            )
        return fields


def test_a_tenant_schema_is_the_one_graphene_builds_from_the_same_classes():
    definitions = []
    for entity in ("company", "contact", "deal", "case"):
        definitions += [
            CustomFieldDefinition(entity=entity, key="tier", label="Tier", field_type="text", help_text="Size"),
            CustomFieldDefinition(
                entity=entity, key="segment", label="Segment", field_type="multi_select",
                options=[{"value": "retail"}, {"value": "2b"}],
            ),
            CustomFieldDefinition(entity=entity, key="budget", label="Budget", field_type="money", required=True),
            CustomFieldDefinition(entity=entity, key="manager", label="Manager", field_type="user"),
            CustomFieldDefinition(
                entity=entity, key="parent", label="Parent", field_type="reference", reference_entity="company"
            ),
        ]  # fmt: skip
    catalog = Catalog.from_definitions(definitions)
    entities = {entity: types for entity in catalog.by_entity if (types := entity_types(entity, catalog))}
    graphene_built = GrapheneBuiltTypeMap(Query, Mutation, None, None, auto_camelcase=True, entities=entities)

    served = build_schema(definitions).graphql_schema

    assert print_schema(served) == print_schema(GraphQLSchema(graphene_built.query, graphene_built.mutation))
    assert served.query_type is not base_schema.graphql_schema.query_type
    assert served.get_type("PageInfo") is base_schema.graphql_schema.get_type("PageInfo")  # shared, not copied
