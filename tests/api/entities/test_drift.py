"""REST and GraphQL cannot drift: for every entity description, the OpenAPI document and the
GraphQL schema expose exactly the described fields, filters and orderings."""

from __future__ import annotations

from typing import Any

import pytest
from graphene.utils.str_converters import to_camel_case, to_snake_case

from api.entities import ENTITIES, EntityDescription
from api.graphql.custom_fields.schema import tenant_schema
from customization.fields.choices import FieldType
from modules.collaboration.targets import TARGETS
from tenants.models import Tenant
from tests.api.rest_crm.helpers import api_client
from tests.api.rest_custom.conftest import define
from tests.shared_data import rolled_back
from tests.tenancy import TenantFixture

PAGINATION_PARAMETERS = {"cursor", "page_size", "ordering", "fields"}
CONNECTION_ARGUMENTS = {"first", "last", "before", "after", "offset", "orderBy", "customFilter", "customOrderBy"}
REST_INPUT_FLAGS = {"allow_duplicate"}  # GraphQL takes it as the create mutation's argument
# Lists nested under a record: a connection on the GraphQL type, a ``<id>/<name>/`` route in REST.
NESTED = {
    "case": {"messages"}, "segment": {"members"}, "collateral_item": {"versions"},
    # A record's campaign touches (GraphQL ``campaignTouches``).
    "contact": {"campaign-touches"}, "lead": {"campaign-touches"}, "deal": {"campaign-touches"},
}  # fmt: skip
# REST components named after the resource rather than the model (a ``Score`` is a lead score).
COMPONENTS = {"lead_score": "LeadScore", "campaign_touch": "CampaignTouch"}
# Records created and deleted, never changed: GraphQL's create mutation takes the writable fields
# as its arguments (there is no input type to update them with).
CREATE_MUTATIONS = {"suppression": "suppressionAdd", "score_threshold": "scoreThresholdCreate"}
# Writes on a read-only record type's list that create no record: a consent is moved (granted or
# withdrawn through ``record_consent``), never created, changed or deleted as a record.
OTHER_WRITES = {"consent": {"post"}}
ids = [entity.name for entity in ENTITIES]
# The cases only read the module's documents: a test transaction each keeps them out of the clean-up
# that follows tests that commit (tests/committed_rows.py).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def documents(django_db_setup: None, django_db_blocker: Any) -> tuple[dict[str, Any], Any]:
    """The OpenAPI document and the GraphQL schema of a tenant with a custom field on every entity.

    Built once for the module: every case only reads them, and building both takes seconds (it was
    most of this file's time when each of its cases built them again). The fields are defined in a
    transaction rolled back once both are built, as a test transaction would be."""
    with django_db_blocker.unblock(), rolled_back(django_db_blocker):
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        with alpha.active():
            for entity in ENTITIES:
                if entity.custom_entity:
                    define(entity.custom_entity, "tier", FieldType.TEXT)
            graphql = tenant_schema().graphql_schema
        response = api_client(alpha).get("/api/v1/schema/")
        assert response.status_code == 200, response.content
        return response.json(), graphql


def component(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def list_parameters(spec: dict[str, Any], entity: EntityDescription) -> list[dict[str, Any]]:
    return spec["paths"][f"/api/v1/{entity.rest_path}/"]["get"]["parameters"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("entity", ENTITIES, ids=ids)
def test_both_protocols_expose_exactly_the_described_fields(documents: Any, entity: EntityDescription):
    spec, graphql = documents
    model = COMPONENTS.get(entity.name, entity.model.__name__)
    custom = {"custom"} if entity.custom_entity else set()
    described = set(entity.field_names) | custom

    rest_fields = set(component(spec, model)["properties"])
    graphql_fields = set(graphql.get_type(entity.graphql_type).fields)
    if entity.read_only_records:  # nothing to write: no request body, no input type
        assert f"{model}Request" not in spec["components"]["schemas"]
        assert graphql.get_type(f"{entity.graphql_type}Input") is None
        rest_inputs, graphql_inputs = set(), set()
    elif entity.created_only:
        assert graphql.get_type(f"{entity.graphql_type}Input") is None
        rest_inputs = set(component(spec, f"{model}Request")["properties"])
        graphql_inputs = set(graphql.mutation_type.fields[CREATE_MUTATIONS[entity.name]].args)
    else:
        rest_inputs = set(component(spec, f"{model}Request")["properties"]) - REST_INPUT_FLAGS
        graphql_inputs = set(graphql.get_type(f"{entity.graphql_type}Input").fields)

    assert rest_fields == described
    assert rest_inputs == set(entity.writable_names) | custom
    timeline = {"timeline"} if entity.timeline else set()
    written_on = {"recordNotes", "files", "followers"} if entity.timeline in TARGETS else set()
    nested = NESTED.get(entity.name, set())
    nested_fields = {to_camel_case(name.replace("-", "_")) for name in nested}
    assert graphql_fields == {to_camel_case(name) for name in described} | timeline | written_on | nested_fields
    assert all(f"/api/v1/{entity.rest_path}/{{id}}/{name}/" in spec["paths"] for name in nested)
    assert graphql_inputs == (
        set() if entity.read_only_records else {to_camel_case(name) for name in [*entity.writable_names, *custom]}
    )


@pytest.mark.parametrize("entity", ENTITIES, ids=ids)
def test_rest_query_parameters_and_graphql_arguments_are_the_same_filters(documents: Any, entity: EntityDescription):
    spec, graphql = documents
    described = {spec_filter.name for spec_filter in entity.filters}

    parameters = {parameter["name"] for parameter in list_parameters(spec, entity)}
    rest_filters = {name for name in parameters - PAGINATION_PARAMETERS if not name.startswith("custom.")}
    connection = graphql.query_type.fields[to_camel_case(entity.resource)]
    graphql_filters = {to_snake_case(name) for name in set(connection.args) - CONNECTION_ARGUMENTS}

    assert rest_filters == described
    assert graphql_filters == described
    assert {"ordering", "fields"} | ({"custom.tier"} if entity.custom_entity else set()) <= parameters


@pytest.mark.parametrize("entity", ENTITIES, ids=ids)
def test_rest_and_graphql_offer_the_same_orderings(documents: Any, entity: EntityDescription):
    spec, graphql = documents
    names = [ordering.name for ordering in entity.orderings]

    ordering = next(parameter for parameter in list_parameters(spec, entity) if parameter["name"] == "ordering")
    rest_orderings = {value for value in ordering["schema"]["enum"] if not value.lstrip("-").startswith("custom.")}
    graphql_orderings = set(graphql.get_type(f"{entity.graphql_type}OrderBy").values)

    assert rest_orderings == {value for name in names for value in (name, f"-{name}")}
    assert graphql_orderings == {value for name in names for value in (name.upper(), f"{name.upper()}_DESC")}


@pytest.mark.parametrize("entity", ENTITIES, ids=ids)
def test_the_rest_detail_documents_the_fields_parameter_and_the_bulk_routes(documents: Any, entity: EntityDescription):
    spec, _graphql = documents
    detail = spec["paths"][f"/api/v1/{entity.rest_path}/{{id}}/"]["get"]

    assert "fields" in {parameter["name"] for parameter in detail["parameters"]}
    if entity.read_only_records or entity.created_only:
        writes = {"post"} if entity.created_only else OTHER_WRITES.get(entity.name, set())
        assert f"/api/v1/{entity.rest_path}/bulk/" not in spec["paths"]
        assert set(spec["paths"][f"/api/v1/{entity.rest_path}/"]) == {"get"} | writes
        changes = {"delete"} if entity.created_only else set()
        assert set(spec["paths"][f"/api/v1/{entity.rest_path}/{{id}}/"]) == {"get"} | changes
        return
    bulk = spec["paths"][f"/api/v1/{entity.rest_path}/bulk/"]
    assert set(bulk) >= {"post", "patch"}
    created = bulk["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert component(spec, created)["properties"]["items"]["maxItems"] == 500
