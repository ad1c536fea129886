"""Tenant isolation on both APIs: beta's users, sessions and host never reach alpha's objects.

Alpha and beta have identical fixtures (same e-mails, same ids), so a leak shows up as a wrong
row, not a missing one. Every attempt below must fail and leave alpha's schema untouched.
"""

from graphql_relay import to_global_id

from identity.models import User
from tests.api.helpers import create_users, post_graphql
from tests.tenancy import ADMIN_EMAIL, TenantFixture, schema_snapshot, with_session_of


def test_alphas_session_cookie_is_nobody_on_betas_host(alpha: TenantFixture, beta: TenantFixture):
    alpha_client = alpha.client()
    assert alpha_client.get("/api/v1/me").json()["tenant"]["slug"] == "alpha"  # the session works at home
    before = schema_snapshot(alpha.tenant)
    stolen = with_session_of(alpha_client, beta.host)

    rest = stolen.get("/api/v1/me")
    graphql = post_graphql(stolen, "{ me { email } users { totalCount } }")

    assert rest.status_code == 401
    assert rest["Content-Type"] == "application/problem+json"
    assert graphql.json()["data"] == {"me": None, "users": None}
    assert {error["message"] for error in graphql.json()["errors"]} == {"Not authenticated."}
    assert schema_snapshot(alpha.tenant) == before


def test_betas_admin_cannot_fetch_a_user_that_exists_only_in_alpha(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        (alpha_only,) = create_users(1, prefix="alpha-only")
    with beta.active():
        assert not User.objects.filter(pk=alpha_only.pk).exists()  # the id is alpha's alone
    before = schema_snapshot(alpha.tenant)
    client = beta.client(ADMIN_EMAIL)

    retrieve = client.get(f"/api/v1/users/{alpha_only.pk}/")
    by_email = client.get(f"/api/v1/users/?email={alpha_only.email}")
    node = post_graphql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("User", alpha_only.pk)})
    listed = post_graphql(client, "{ users { totalCount edges { node { email } } } }")

    assert retrieve.status_code == 404
    assert retrieve["Content-Type"] == "application/problem+json"
    assert by_email.json()["results"] == []
    assert node.json() == {"data": {"node": None}}
    assert alpha_only.email not in {edge["node"]["email"] for edge in listed.json()["data"]["users"]["edges"]}
    assert listed.json()["data"]["users"]["totalCount"] == 2
    assert schema_snapshot(alpha.tenant) == before


def test_an_unknown_host_answers_404_and_no_data(alpha: TenantFixture):
    signed_in_elsewhere = with_session_of(alpha.client(), "nope.localhost")

    rest = signed_in_elsewhere.get("/api/v1/me")
    graphql = post_graphql(signed_in_elsewhere, "{ me { email } }")

    assert rest.status_code == 404
    assert graphql.status_code == 404
    assert ADMIN_EMAIL.encode() not in rest.content + graphql.content
    assert b"Alpha" not in rest.content + graphql.content
