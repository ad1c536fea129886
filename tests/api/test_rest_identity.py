"""REST: /api/v1/me and the users resource, with RFC 9457 problems for every error."""

import pytest

from identity.models import User
from tests.api.helpers import CSRF_TOKEN, PROBLEM_BASE, create_users
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture


def test_me_returns_the_signed_in_user_their_permissions_and_their_tenant(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    client = alpha.client(REP_EMAIL)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    with alpha.active():
        team_id = rep.teams.get().pk
    assert {key: body[key] for key in ("id", "email", "full_name", "role", "teams", "is_active")} == {
        "id": rep.pk,
        "email": REP_EMAIL,
        "full_name": "Rita Rep",
        "role": "sales_rep",
        "teams": [{"id": team_id, "name": "Field sales"}],
        "is_active": True,
    }
    assert body["permissions"] == sorted(rep.role.permissions)
    assert body["record_visibility"] == "own"
    tenant = alpha.tenant
    assert body["tenant"] == {
        "name": "Alpha Ltd",
        "slug": "alpha",
        "status": "active",
        "read_only": False,
        "locale": tenant.locale,
        "currency": tenant.currency,
        "time_zone": tenant.time_zone,
    }


def test_me_without_a_session_is_a_401_problem(alpha: TenantFixture):
    response = alpha.client(None).get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "type": f"{PROBLEM_BASE}not-authenticated",
        "title": "Not authenticated",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "instance": "/api/v1/me",
    }


def test_users_list_returns_the_tenants_users_in_id_order(alpha: TenantFixture):
    with alpha.active():
        expected = list(User.objects.order_by("id").values_list("email", flat=True))

    response = alpha.client(REP_EMAIL).get("/api/v1/users/")

    assert response.status_code == 200
    body = response.json()
    assert [user["email"] for user in body["results"]] == expected == [ADMIN_EMAIL, REP_EMAIL]
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"][1]["role"] == "sales_rep"
    assert [team["name"] for team in body["results"][1]["teams"]] == ["Field sales"]


def test_users_list_pages_with_a_cursor(alpha: TenantFixture):
    with alpha.active():
        create_users(3)
        expected = list(User.objects.order_by("id").values_list("email", flat=True))
    client = alpha.client()

    pages = []
    url: str | None = "/api/v1/users/?page_size=2"
    while url:
        body = client.get(url).json()
        pages.append([user["email"] for user in body["results"]])
        url = body["next"]

    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


def test_users_list_filters_by_is_active(alpha: TenantFixture):
    with alpha.active():
        create_users(1, prefix="gone", is_active=False)
    client = alpha.client()

    inactive = client.get("/api/v1/users/?is_active=false").json()["results"]
    active = client.get("/api/v1/users/?is_active=true").json()["results"]

    assert [user["email"] for user in inactive] == ["gone000@example.test"]
    assert [user["email"] for user in active] == [ADMIN_EMAIL, REP_EMAIL]


def test_users_list_filters_by_email_case_insensitively(alpha: TenantFixture):
    response = alpha.client().get("/api/v1/users/?email=REP@Example.TEST")

    assert [user["email"] for user in response.json()["results"]] == [REP_EMAIL]


def test_a_malformed_filter_is_a_400_problem_naming_the_parameter(alpha: TenantFixture):
    response = alpha.client().get("/api/v1/users/?is_active=perhaps")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}invalid",
        "title": "Invalid input",
        "status": 400,
        "detail": "The request has invalid fields.",
        "errors": [{"field": "is_active", "message": "Must be a valid boolean."}],
        "instance": "/api/v1/users/",
    }


def test_retrieve_a_user_by_id(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)

    response = alpha.client().get(f"/api/v1/users/{rep.pk}/")

    assert response.status_code == 200
    assert response.json()["email"] == REP_EMAIL
    assert response.json()["id"] == rep.pk


def test_an_unknown_user_id_is_a_404_problem(alpha: TenantFixture):
    response = alpha.client().get("/api/v1/users/999999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No User matches the given query.",
        "instance": "/api/v1/users/999999/",
    }


def test_creating_users_over_rest_is_not_allowed(alpha: TenantFixture):
    with alpha.active():
        users_before = User.objects.count()

    response = alpha.client().post("/api/v1/users/", {"email": "new@example.test"}, content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}method-not-allowed",
        "title": "Method not allowed",
        "status": 405,
        "detail": 'Method "POST" not allowed.',
        "instance": "/api/v1/users/",
    }
    with alpha.active():
        assert User.objects.count() == users_before


def test_an_unsafe_request_without_a_csrf_token_is_a_403_problem_naming_csrf(alpha: TenantFixture):
    client = alpha.client(ADMIN_EMAIL, enforce_csrf_checks=True)

    response = client.post("/api/v1/users/", {"email": "new@example.test"}, content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}csrf-failed",
        "title": "Forbidden",
        "status": 403,
        "detail": "CSRF Failed: CSRF cookie not set.",
        "instance": "/api/v1/users/",
    }
    with alpha.active():
        assert not User.objects.filter(email="new@example.test").exists()


def test_with_a_csrf_token_the_unsafe_request_reaches_the_view(alpha: TenantFixture):
    client = alpha.client(ADMIN_EMAIL, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_TOKEN

    response = client.post(
        "/api/v1/users/", {"email": "new@example.test"}, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF_TOKEN
    )

    assert response.status_code == 405  # past the CSRF check; the users resource is read-only


@pytest.mark.parametrize("page_size", [1, 50])
def test_users_list_query_count_does_not_depend_on_page_size(
    alpha: TenantFixture, page_size: int, django_assert_max_num_queries
):
    with alpha.active():
        create_users(60)
    client = alpha.client()

    # search_path, domain, search_path, session, user, one page of users, their teams
    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/users/?page_size={page_size}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
