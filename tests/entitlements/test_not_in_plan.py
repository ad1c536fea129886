"""A module the tenant's plan does not include answers one way on every surface: pages 403 with
the "not in your plan" page, REST 403 ``module-not-in-plan``, GraphQL MODULE_NOT_IN_PLAN, all with
the same message; and nothing is written. The surfaces are walked from the URL resolver, the
OpenAPI document and the GraphQL schema (``tests.entitlements.surfaces``)."""

from __future__ import annotations

import json
import re

from django.test import RequestFactory
from django.urls import reverse

from api.graphql.custom_fields.schema import tenant_schema
from crm_platform.plan_gate import PROBLEM_TYPE, not_in_plan_response
from modules.dataio.exports.sources import SOURCES
from modules.dataio.imports.choices import ImportEntity
from modules.dataio.imports.models import ImportJob
from modules.plan_gate import not_in_plan_message
from modules.registry import OPTIONAL_MODULE_KEYS
from tests.api.helpers import post_graphql
from tests.api.test_cross_tenant_sweep import resolver_routes
from tests.entitlements.helpers import MESSAGE, api_key_client, business_snapshot, without_modules
from tests.entitlements.surfaces import (
    NODE_MODELS,
    PUBLIC_NAMESPACES,
    module_operations,
    module_pages,
    module_routes,
    sales_records,
)
from tests.tenancy import REP_EMAIL, TenantFixture


def test_the_message_names_the_module_by_its_label():
    assert not_in_plan_message("sales") == MESSAGE


def test_every_page_of_an_optional_module_answers_not_in_plan(alpha: TenantFixture):
    records = sales_records(alpha)
    pages, uncovered = module_pages(records)
    without_modules(alpha, *OPTIONAL_MODULE_KEYS)
    client = alpha.client()
    before = business_snapshot(alpha)

    answers = []
    for page in pages:
        response = client.get(page.path)
        if response.status_code == 405:
            response = client.post(page.path, {"name": "Written?"})
        names = [template.name for template in response.templates]
        if page.name.split(":")[0] in PUBLIC_NAMESPACES:
            # Outsiders (a customer holding a quote link) learn nothing of the workspace's plan.
            if response.status_code != 404 or "errors/not_in_plan.html" in names:
                answers.append(f"{page.name} {page.path}: {response.status_code} {names[:1]}")
        elif response.status_code != 403 or "errors/not_in_plan.html" not in names:
            answers.append(f"{page.name} {page.path}: {response.status_code} {names[:1]}")
        elif not_in_plan_message(page.module) not in response.content.decode():
            answers.append(f"{page.name} {page.path}: no message")

    assert uncovered == []
    assert len(pages) >= 40
    assert {page.module for page in pages} == {"sales", "analytics", "service", "marketing"}
    assert answers == []
    assert business_snapshot(alpha) == before


def test_posting_to_a_module_page_writes_nothing(alpha: TenantFixture):
    records = sales_records(alpha)
    pages, _uncovered = module_pages(records)
    without_modules(alpha, *OPTIONAL_MODULE_KEYS)
    client = alpha.client()
    before = business_snapshot(alpha)

    statuses = {
        (
            page.name.split(":")[0] in PUBLIC_NAMESPACES,
            client.post(page.path, {"name": "Written?", "stage": 1}).status_code,
        )
        for page in pages
    }

    # Workspace pages refuse (403) or take no POST (405); public pages are not there (404).
    assert statuses <= {(False, 403), (False, 405), (True, 404), (True, 405)}
    assert (True, 404) in statuses
    assert business_snapshot(alpha) == before


def test_the_page_offers_plans_to_whoever_manages_the_tenant(alpha: TenantFixture):
    without_modules(alpha, "sales")

    admin_page = alpha.client().get("/deals/")
    rep_page = alpha.client(REP_EMAIL).get("/deals/")

    assert (admin_page.status_code, rep_page.status_code) == (403, 403)
    assert 'data-testid="see-plans"' in admin_page.content.decode()
    assert 'href="/settings/billing/" data-testid="see-plans"' in admin_page.content.decode()
    assert 'data-testid="see-plans"' not in rep_page.content.decode()
    assert MESSAGE in rep_page.content.decode()


def test_an_htmx_request_reloads_the_page_to_show_it(alpha: TenantFixture):
    without_modules(alpha, "sales")

    response = alpha.client().get("/deals/", HTTP_HX_REQUEST="true")

    assert (response.status_code, response["HX-Refresh"]) == (403, "true")


def test_an_export_of_a_module_list_answers_not_in_plan(alpha: TenantFixture):
    modules = {entity: source.module for entity, source in SOURCES.items() if source.module in OPTIONAL_MODULE_KEYS}
    without_modules(alpha, *OPTIONAL_MODULE_KEYS)
    client = alpha.client()

    responses = {entity: client.get(f"/exports/list/{entity}/csv/") for entity in modules}

    assert set(modules.values()) == {"sales"}
    assert {entity: response.status_code for entity, response in responses.items()} == dict.fromkeys(modules, 403)
    assert all(MESSAGE in response.content.decode() for response in responses.values())
    assert client.get("/exports/list/company/csv/").status_code == 200  # customers are always on


def test_an_import_of_a_module_records_answers_not_in_plan(alpha: TenantFixture):
    with alpha.active():
        job = ImportJob.objects.create(
            entity=ImportEntity.DEAL, file="deals.csv", original_name="deals.csv", file_format="csv"
        )
    without_modules(alpha, "sales")
    client = alpha.client()
    paths = [reverse(f"imports:{name}", args=[job.pk]) for name in ("detail", "mapping", "preview", "progress")]

    responses = [client.get(path) for path in [*paths, reverse("imports:undo", args=[job.pk])]]
    started = client.post(reverse("imports:start", args=[job.pk]))
    upload = client.get(reverse("imports:upload"))

    assert [response.status_code for response in [*responses, started]] == [403] * 6
    assert all(MESSAGE in response.content.decode() for response in responses)
    assert upload.status_code == 200
    assert [value for value, _label in upload.context["form"].fields["entity"].choices] == ["company", "contact"]


def test_api_paths_get_a_problem_document(alpha: TenantFixture):
    request = RequestFactory().get("/api/v1/whatever/")

    response = not_in_plan_response(request, "sales")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content) == {
        "type": PROBLEM_TYPE,
        "title": "Not in your plan",
        "status": 403,
        "detail": MESSAGE,
        "module": "sales",
        "instance": "/api/v1/whatever/",
    }


def test_every_rest_route_of_an_optional_module_answers_not_in_plan(alpha: TenantFixture):
    records = sales_records(alpha)
    client = api_key_client(alpha)
    full = client.get("/api/v1/schema/").json()
    routes, uncovered = module_routes(full, records)
    without_modules(alpha, *OPTIONAL_MODULE_KEYS)
    reduced = client.get("/api/v1/schema/").json()
    before = business_snapshot(alpha)

    answers = []
    for route in routes:
        kwargs = {"content_type": "application/json"} if route.method in ("post", "put", "patch") else {}
        response = getattr(client, route.method)(route.url, json.dumps({}) if kwargs else None, **kwargs)
        body = response.json() if response["Content-Type"] == "application/problem+json" else {}
        answer = (response.status_code, body.get("type"), body.get("title"), body.get("detail"), body.get("module"))
        if answer != (403, PROBLEM_TYPE, "Not in your plan", not_in_plan_message(route.module), route.module):
            answers.append(f"{route.method.upper()} {route.url}: {response.status_code} {response.content[:200]!r}")

    documented = {re.sub(r"{\w+}", "{}", template) for template in full["paths"]}
    assert resolver_routes() - documented - {"/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"} == set()
    assert uncovered == []
    assert len(routes) >= 25
    assert answers == []
    assert set(reduced["paths"]) == set(full["paths"]) - {route.template for route in routes}
    assert business_snapshot(alpha) == before


def test_every_graphql_field_of_an_optional_module_answers_not_in_plan(alpha: TenantFixture):
    records = sales_records(alpha)
    with alpha.active():
        schema = tenant_schema().graphql_schema
    operations, uncovered = module_operations(schema, records)
    without_modules(alpha, *OPTIONAL_MODULE_KEYS)
    client = api_key_client(alpha)
    before = business_snapshot(alpha)

    answers = []
    for operation in operations:
        body = post_graphql(client, operation.document, operation.variables).json()
        errors = [(error["message"], error.get("extensions"), error.get("path")) for error in body.get("errors", [])]
        extensions = {"code": "MODULE_NOT_IN_PLAN", "module": operation.module}
        expected = [(not_in_plan_message(operation.module), extensions, [operation.field])]
        if errors != expected or (body.get("data") or {}).get(operation.field) is not None:
            answers.append(f"{operation.field} {operation.variables}: {json.dumps(body)[:300]}")

    assert uncovered == []
    assert sum(1 for operation in operations if operation.document.startswith("mutation")) >= 16
    assert sum(1 for operation in operations if operation.field == "node") == len(NODE_MODELS)
    assert answers == []
    assert business_snapshot(alpha) == before
