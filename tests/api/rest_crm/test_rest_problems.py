"""Every error under /api/v1/ is an RFC 9457 problem document: unknown routes, wrong methods,
unacceptable media types, unsupported request bodies and malformed JSON."""

from typing import Any

import pytest

from modules.contacts.models import Company, Contact, Tag
from tests.api.helpers import PROBLEM, PROBLEM_BASE
from tests.api.rest_crm.helpers import api_client, post
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/companies/abc/", "/api/v2/companies/"])
def test_an_unknown_route_is_a_404_problem(alpha: TenantFixture, path: str):
    assert_problem(api_client(alpha).get(path), 404)


def test_an_unknown_record_is_a_404_problem_naming_the_path(alpha: TenantFixture):
    body = assert_problem(api_client(alpha).get("/api/v1/companies/999999/"), 404)

    assert body["type"] == f"{PROBLEM_BASE}not-found"
    assert body["instance"] == "/api/v1/companies/999999/"


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "/api/v1/companies/{id}/"), ("delete", "/api/v1/companies/"), ("get", "/api/v1/companies/bulk/")],
)
def test_a_method_the_route_does_not_take_is_a_405_problem(alpha: TenantFixture, method: str, path: str):
    with alpha.active():
        company = CompanyFactory()

    response = getattr(api_client(alpha), method)(path.format(id=company.pk), {}, content_type="application/json")

    body = assert_problem(response, 405)
    assert body["type"] == f"{PROBLEM_BASE}method-not-allowed"


def test_an_unacceptable_accept_header_is_a_406_problem(alpha: TenantFixture):
    response = api_client(alpha).get("/api/v1/companies/", HTTP_ACCEPT="text/html")

    body = assert_problem(response, 406)
    assert body["type"] == f"{PROBLEM_BASE}not-acceptable"


def test_a_form_body_is_a_415_problem_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        count = Company.objects.count()

    response = api_client(alpha).post(
        "/api/v1/companies/", "name=Acme", content_type="application/x-www-form-urlencoded"
    )

    body = assert_problem(response, 415)
    assert body["type"] == f"{PROBLEM_BASE}unsupported-media-type"
    with alpha.active():
        assert Company.objects.count() == count


@pytest.mark.parametrize("path", ["/api/v1/companies/", "/api/v1/companies/bulk/"])
def test_malformed_json_is_a_400_problem(alpha: TenantFixture, path: str):
    response = api_client(alpha).post(path, '{"name": "Acme",', content_type="application/json")

    body = assert_problem(response, 400)
    assert body["type"] == f"{PROBLEM_BASE}parse-error"


def test_errors_of_another_tenants_host_are_problems_too(beta: TenantFixture):
    response = api_client(beta).get("/api/v1/unknown/")

    assert_problem(response, 404)


@pytest.mark.parametrize("path", ["/api/v1/contacts/", "/api/v1/contacts/bulk/"])
def test_a_tag_name_with_a_nul_character_is_a_400_naming_the_field(alpha: TenantFixture, path: str):
    contact = {"first_name": "Nul", "last_name": "Byte", "tags": ["ok", "bad\x00tag"]}
    body = contact if path.endswith("contacts/") else {"items": [contact]}

    response = post(api_client(alpha), path, body)

    problem = assert_problem(response, 400)
    assert any(error["field"].endswith("tags") for error in problem["errors"]), problem
    with alpha.active():
        assert not Contact.objects.filter(last_name="Byte").exists()
        assert not Tag.objects.filter(name="ok").exists()
