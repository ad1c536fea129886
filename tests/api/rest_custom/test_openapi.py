"""``/api/v1/schema/``: the tenant's OpenAPI 3 document types each record's ``custom`` object from
that tenant's definitions only, is rebuilt when a definition changes, validates against the
OpenAPI 3.0 JSON schema, and Swagger UI / Redoc pages read it with assets from this host."""

import re
from typing import Any

import pytest
import yaml
from drf_spectacular.validation import validate_schema

from customization.fields.choices import Entity, FieldType
from tests.api.helpers import create_users
from tests.api.rest_crm.helpers import api_client
from tests.api.rest_custom.conftest import OPTIONS, TAG_OPTIONS, archive, define
from tests.tenancy import TenantFixture

RECORD_COMPONENTS = {
    Entity.COMPANY: "Company",
    Entity.CONTACT: "Contact",
    Entity.LEAD: "Lead",
    Entity.DEAL: "Deal",
    Entity.ACTIVITY: "Activity",
}


def document(fixture: TenantFixture, email: str | None = None) -> dict[str, Any]:
    client = api_client(fixture) if email is None else api_client(fixture, email)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def custom_of(spec: dict[str, Any], component: str) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    reference = schemas[component]["properties"]["custom"]["$ref"]
    return schemas[reference.rsplit("/", 1)[1]]  # type: ignore[no-any-return]


def enum_of(spec: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """The values an enum property allows, following references (enums become components)."""
    if "$ref" in schema:
        return enum_of(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "oneOf" in schema:
        return [value for part in schema["oneOf"] for value in enum_of(spec, part)]
    return list(schema["enum"])


def test_every_record_types_the_tenants_fields_in_responses_and_requests(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "nickname", FieldType.TEXT, help_text="What friends say.")
        define(Entity.CONTACT, "score", FieldType.NUMBER, required=True)
        define(Entity.CONTACT, "ratio", FieldType.DECIMAL)
        define(Entity.CONTACT, "budget", FieldType.MONEY)
        define(Entity.CONTACT, "met_on", FieldType.DATE)
        define(Entity.CONTACT, "call_at", FieldType.DATETIME)
        define(Entity.CONTACT, "vip", FieldType.BOOLEAN)
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.CONTACT, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
        define(Entity.CONTACT, "manager", FieldType.USER)
        define(Entity.CONTACT, "employer", FieldType.REFERENCE, reference_entity=Entity.COMPANY)
        archive(define(Entity.CONTACT, "legacy", FieldType.TEXT))
        for entity in (Entity.COMPANY, Entity.LEAD, Entity.DEAL, Entity.ACTIVITY):
            define(entity, f"{entity}_code", FieldType.TEXT)

    spec = document(alpha)

    custom = custom_of(spec, "Contact")
    types = {key: (value.get("type"), value.get("format")) for key, value in custom["properties"].items()}
    assert types == {
        "nickname": ("string", None),
        "score": ("integer", "int64"),
        "ratio": ("string", "decimal"),
        "budget": ("object", None),
        "met_on": ("string", "date"),
        "call_at": ("string", "date-time"),
        "vip": ("boolean", None),
        "region": (None, None),
        "tags": ("array", None),
        "manager": ("integer", None),
        "employer": ("integer", None),
    }
    properties = custom["properties"]
    assert enum_of(spec, properties["region"]) == ["north", "south", None]
    assert enum_of(spec, properties["tags"]["items"]) == ["x", "y", "z"]
    assert properties["budget"]["required"] == ["amount", "currency"]
    assert properties["nickname"]["description"] == "What friends say."
    assert properties["employer"]["description"] == "The id of a company."
    assert all(value["nullable"] is True for value in properties.values())
    assert custom["required"] == list(properties)
    assert custom["additionalProperties"] is False
    request_custom = custom_of(spec, "ContactRequest")
    assert list(request_custom["properties"]) == list(properties)
    assert "required" not in request_custom
    for entity, component in RECORD_COMPONENTS.items():
        if entity != Entity.CONTACT:
            assert list(custom_of(spec, component)["properties"]) == [f"{entity}_code"]
            patched = "PatchedActivityUpdateRequest" if component == "Activity" else f"Patched{component}Request"
            assert list(custom_of(spec, patched)["properties"]) == [f"{entity}_code"]


def test_the_document_is_valid_openapi_3(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.DEAL, "budget", FieldType.MONEY)
        define(Entity.LEAD, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)

    spec = document(alpha)

    validate_schema(spec)
    assert spec["openapi"].startswith("3.0")
    assert {"/api/v1/contacts/", "/api/v1/deals/{id}/", "/api/v1/users/"} <= set(spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert schemes["cookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    assert (schemes["bearerAuth"]["type"], schemes["bearerAuth"]["scheme"]) == ("http", "bearer")
    assert set(schemes) == {"cookieAuth", "bearerAuth"}
    assert "/api/v1/schema/" not in spec["paths"]


def test_the_list_operations_document_custom_filters_and_orderings(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)

    spec = document(alpha)

    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert parameters["custom.score.gte"]["type"] == "integer"
    assert parameters["custom.score.isnull"] == {"type": "boolean"}
    assert parameters["custom.tags"] == {"type": "string", "enum": ["x", "y", "z"]}
    assert "custom.tags.gt" not in parameters
    assert {"custom.score", "-custom.score", "full_name", "-full_name"} <= set(parameters["ordering"]["enum"])


def test_one_tenants_fields_never_appear_in_the_others_document(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "alpha_secret", FieldType.TEXT)
    with beta.active():
        define(Entity.CONTACT, "beta_secret", FieldType.BOOLEAN)

    alpha_spec = document(alpha)
    beta_spec = document(beta)

    assert list(custom_of(alpha_spec, "Contact")["properties"]) == ["alpha_secret"]
    assert list(custom_of(beta_spec, "Contact")["properties"]) == ["beta_secret"]
    assert "alpha_secret" not in str(beta_spec)
    assert "beta_secret" not in str(alpha_spec)


def test_a_definition_change_yields_a_new_document(alpha: TenantFixture):
    with alpha.active():
        region = define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
    before = custom_of(document(alpha), "Contact")
    cached = custom_of(document(alpha), "Contact")

    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        archive(region)
    after = custom_of(document(alpha), "Contact")

    assert list(before["properties"]) == list(cached["properties"]) == ["region"]
    assert list(after["properties"]) == ["score"]


def test_the_document_lists_only_what_the_user_may_call(alpha: TenantFixture):
    with alpha.active():
        (reader,) = create_users(1, prefix="reader", role_key="read_only")

    spec = document(alpha, reader.email)

    contacts = spec["paths"]["/api/v1/contacts/"]
    assert set(contacts) == {"get"}


def test_yaml_is_served_on_request(alpha: TenantFixture):
    with alpha.active():
        define(Entity.DEAL, "budget", FieldType.MONEY)

    response = api_client(alpha).get("/api/v1/schema/?format=yaml")

    assert response.status_code == 200
    spec = yaml.load(response.content, Loader=yaml.CSafeLoader)  # libyaml: Python's own parser takes seconds
    assert list(custom_of(spec, "Deal")["properties"]) == ["budget"]


def test_anonymous_visitors_get_neither_the_document_nor_the_pages(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "alpha_secret", FieldType.TEXT)
    anonymous = alpha.client(None)

    document_response = anonymous.get("/api/v1/schema/")
    pages = [anonymous.get(path) for path in ("/api/v1/docs/", "/api/v1/redoc/")]

    assert document_response.status_code == 401
    assert document_response["Content-Type"] == "application/problem+json"
    assert b"alpha_secret" not in document_response.content
    assert [(page.status_code, page["Location"]) for page in pages] == [
        (302, "/login/?next=/api/v1/docs/"),
        (302, "/login/?next=/api/v1/redoc/"),
    ]


@pytest.mark.parametrize(
    ("path", "asset"),
    [
        ("/api/v1/docs/", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/v1/redoc/", "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ],
)
def test_swagger_ui_and_redoc_read_the_document_with_local_assets(alpha: TenantFixture, path: str, asset: str):
    response = api_client(alpha).get(path, HTTP_ACCEPT="text/html")
    asset_response = alpha.client().get(asset)

    assert response.status_code == 200
    html = response.content.decode()
    assert asset in html
    # Swagger UI's start-up code is a script of its own (the policy forbids inline code); Redoc
    # names the document in the page.
    start_up = re.search(r'<script src="(/api/v1/docs/\?script=[^"]*)"', html)
    where = api_client(alpha).get(start_up.group(1)).content.decode() if start_up else html
    assert "/api/v1/schema/" in where
    assert asset_response.status_code == 200
