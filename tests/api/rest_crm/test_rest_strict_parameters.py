"""Query parameters of /api/v1/ that cannot be read are refused with a 400 naming them, not
ignored; text parameters are bounded; ids that are not whole numbers and bodies over the upload
limit are problem documents like every other API error."""

from typing import Any

import pytest
from django.test import override_settings

from api.input_limits import MAX_FILTER_TEXT, MAX_LONG_PARAMETER
from modules.contacts.models import Company
from tests.api.helpers import PROBLEM, PROBLEM_BASE
from tests.api.rest_crm.helpers import api_client, field_names
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture


def assert_refused(response: Any, parameter: str) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert field_names(response) == [parameter]
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/companies/?page_size=AAA", "page_size"),
        ("/api/v1/companies/?page_size=0", "page_size"),
        ("/api/v1/companies/?page_size=201", "page_size"),
        ("/api/v1/users/?page_size=-1", "page_size"),
        ("/api/v1/companies/1/timeline/?page_size=x", "page_size"),
        ("/api/v1/products/?is_active=null", "is_active"),
        ("/api/v1/lost-reasons/?is_active=maybe", "is_active"),
        ("/api/v1/users/?is_active=null", "is_active"),
        ("/api/v1/users/?email=", "email"),
        ("/api/v1/companies/?owner=", "owner"),
        ("/api/v1/companies/?owner=0.5", "owner"),
        ("/api/v1/contacts/?company=abc", "company"),
        ("/api/v1/deals/?stage=", "stage"),
        ("/api/v1/quotes/?owner=", "owner"),
        ("/api/v1/activities/?status=", "status"),
    ],
)
def test_a_parameter_that_cannot_be_read_is_a_400_naming_it(alpha: TenantFixture, path: str, parameter: str):
    with alpha.active():
        company = CompanyFactory()

    response = api_client(alpha).get(path.replace("/1/", f"/{company.pk}/"))

    assert_refused(response, parameter)


def test_good_values_of_those_parameters_still_filter(alpha: TenantFixture):
    with alpha.active():
        mine = CompanyFactory(name="Mine", owner=alpha.user())
        CompanyFactory(name="Nobody's", owner=None)
    client = api_client(alpha)

    owned = client.get(f"/api/v1/companies/?owner={alpha.user().pk}&page_size=1")
    empty_search = client.get("/api/v1/companies/?search=&page_size=200")
    active_users = client.get("/api/v1/users/?is_active=TRUE")

    assert [row["id"] for row in owned.json()["results"]] == [mine.pk]
    assert len(empty_search.json()["results"]) == 2
    assert active_users.status_code == 200


def test_a_search_longer_than_the_bound_is_refused_before_any_query(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Acme")
    client = api_client(alpha)

    refused = client.get("/api/v1/companies/", {"search": "word " * 10_000})
    at_bound = client.get("/api/v1/companies/", {"search": "x" * MAX_FILTER_TEXT})

    body = assert_refused(refused, "search")
    assert body["errors"] == [
        {"field": "search", "message": f"search may be at most {MAX_FILTER_TEXT} characters long; this one has 50000."}
    ]
    assert at_bound.status_code == 200
    assert at_bound.json()["results"] == []


def test_cursors_and_field_lists_have_a_longer_bound(alpha: TenantFixture):
    client = api_client(alpha)

    long_fields = client.get("/api/v1/companies/", {"fields": ",".join(["id"] * 400)})  # 1,199 characters
    too_long_cursor = client.get("/api/v1/companies/", {"cursor": "c" * (MAX_LONG_PARAMETER + 1)})
    too_long_custom = client.get("/api/v1/companies/", {"custom.region": "r" * (MAX_LONG_PARAMETER + 1)})

    assert long_fields.status_code == 200
    assert_refused(too_long_cursor, "cursor")
    assert_refused(too_long_custom, "custom.region")


@override_settings(DEBUG=True)  # as `make run` serves: Django's own 404 page would be HTML then
@pytest.mark.parametrize("path", ["/api/v1/contacts/0.5/", "/api/v1/contacts/0.5/timeline/", "/api/v2/"])
def test_an_id_that_is_not_a_whole_number_is_a_404_problem(alpha: TenantFixture, path: str):
    response = api_client(alpha).patch(path, "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": f"{PROBLEM_BASE}not-found",
        "title": "Not found",
        "status": 404,
        "instance": path,
    }


@override_settings(DEBUG=True, DATA_UPLOAD_MAX_MEMORY_SIZE=1_000)
def test_a_body_over_the_upload_limit_is_a_413_problem_and_nothing_is_written(alpha: TenantFixture):
    body = '{"name": "%s"}' % ("x" * 2_000)

    rest = api_client(alpha).post("/api/v1/companies/", body, content_type="application/json")
    graphql = api_client(alpha).post("/graphql/", '{"query": "%s"}' % ("x" * 2_000), content_type="application/json")

    assert rest.status_code == 413
    assert rest["Content-Type"] == PROBLEM
    assert rest.json()["type"] == f"{PROBLEM_BASE}request-too-large"
    assert graphql.status_code == 413
    assert graphql.json() == {
        "errors": [
            {"message": "The request body may be at most 1000 bytes.", "extensions": {"code": "REQUEST_TOO_LARGE"}}
        ]
    }
    with alpha.active():
        assert not Company.objects.exists()
