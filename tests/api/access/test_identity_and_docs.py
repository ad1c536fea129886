"""What a scoped credential sees of identity (``/api/v1/me``, users, GraphQL ``me``) and how the
OpenAPI document describes bearer authentication."""

from __future__ import annotations

from identity.models import User
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture


def test_me_reports_what_the_key_may_do_not_everything_the_role_may(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, email=ADMIN_EMAIL, scopes=("contacts:read", "sales:write"))

    response = bearer_client(alpha, plaintext).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == ADMIN_EMAIL
    assert body["credential"] == {"kind": "api_key", "scopes": ["contacts:read", "sales:write"]}
    admin_codes = set(alpha.user().permission_codes)
    assert "settings.manage_users" in admin_codes
    assert body["permissions"] == sorted(
        code for code in admin_codes if code == "contacts.view" or code.startswith("sales.")
    )


def test_me_with_a_session_reports_every_permission_and_no_scopes(alpha: TenantFixture):
    body = api_client(alpha, REP_EMAIL).get("/api/v1/me").json()

    assert body["credential"] == {"kind": "session", "scopes": None}
    assert body["permissions"] == sorted(alpha.user(REP_EMAIL).permission_codes)


def test_any_key_reads_the_user_directory_of_its_own_tenant_only(alpha: TenantFixture, beta: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("sales:read",))
    with beta.active():
        User.objects.create_user("only-in-beta@example.test", "long-enough-pass-1")

    listed = bearer_client(alpha, plaintext).get("/api/v1/users/")
    graphql = post_graphql(
        bearer_client(alpha, plaintext), "{ me { email } users(first: 10) { edges { node { email } } } }"
    )

    assert listed.status_code == 200
    assert [user["email"] for user in listed.json()["results"]] == [ADMIN_EMAIL, REP_EMAIL]
    data = graphql.json()["data"]
    assert data["me"] == {"email": ADMIN_EMAIL}
    assert [edge["node"]["email"] for edge in data["users"]["edges"]] == [ADMIN_EMAIL, REP_EMAIL]


def test_anonymous_api_calls_are_challenged_for_a_bearer_token(alpha: TenantFixture):
    response = alpha.client(None).get("/api/v1/contacts/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_the_openapi_document_declares_bearer_security(alpha: TenantFixture):
    spec = api_client(alpha).get("/api/v1/schema/").json()

    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert {"bearerAuth": []} in spec["paths"]["/api/v1/contacts/"]["get"]["security"]
