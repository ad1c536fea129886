"""Settings → API keys and Settings → OAuth applications: who may do what, validation naming
the field, keys and secrets shown once, other tenants' ids not found, fixed query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import Application

from api.auth.oauth_apps import register_application
from identity.models import ApiKey, OAuthApplicationScopes
from identity.services.api_keys import hash_secret
from tenants.models import Tenant
from tests.api.access.helpers import bearer_client, issue_key
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

NEW_KEY = {
    "name": "Warehouse sync",
    "scopes": ["contacts:read", "sales:write"],
    "expires_on": "",
    "current_password": PASSWORD,
}


def test_a_rep_creates_a_key_and_sees_it_once(alpha: TenantFixture):
    client = alpha.client(REP_EMAIL)

    created = client.post("/settings/api-keys/", NEW_KEY)
    again = client.get("/settings/api-keys/")

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    plaintext = created.context["plaintext"]
    assert plaintext in created.content.decode()
    assert plaintext not in again.content.decode()
    with alpha.active():
        api_key = ApiKey.objects.get()
        assert (api_key.user.email, api_key.name, api_key.scopes) == (REP_EMAIL, "Warehouse sync", NEW_KEY["scopes"])
        assert api_key.secret_hash == hash_secret(plaintext.split("_", 2)[2])
    assert f"rlt_{api_key.key_id}_" in again.content.decode()
    assert bearer_client(alpha, plaintext).get("/api/v1/contacts/").status_code == 200


def test_the_expiry_day_is_the_last_day_the_key_works(alpha: TenantFixture):
    day = (timezone.now() + timedelta(days=10)).date()

    response = alpha.client().post("/settings/api-keys/", {**NEW_KEY, "expires_on": day.isoformat()})

    assert response.status_code == 201
    with alpha.active():
        expires_at = ApiKey.objects.get().expires_at
    assert expires_at is not None
    assert timezone.localtime(expires_at, expires_at.tzinfo).date() == day + timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**NEW_KEY, "name": ""}, "name", "This field is required."),
        ({**NEW_KEY, "name": "   "}, "name", "This field is required."),
        ({**NEW_KEY, "scopes": []}, "scopes", "This field is required."),
        ({**NEW_KEY, "scopes": ["contacts:admin"]}, "scopes", None),
        ({**NEW_KEY, "expires_on": "2001-01-01"}, "expires_on", "The expiry must be in the future."),
        ({**NEW_KEY, "expires_on": "soon"}, "expires_on", "Enter a valid date."),
        ({**NEW_KEY, "expires_on": "9999-12-31"}, "expires_on", "Enter a date between the years 1000 and 8999."),
    ],
)
def test_bad_key_input_is_a_400_naming_the_field(
    alpha: TenantFixture, data: dict[str, object], field: str, message: str | None
):
    response = alpha.client().post("/settings/api-keys/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    with alpha.active():
        assert not ApiKey.objects.exists()


def test_a_rep_sees_only_their_own_keys_and_cannot_revoke_anothers(alpha: TenantFixture):
    admins_key, _plaintext = issue_key(alpha, email=ADMIN_EMAIL, name="Admin's key")
    reps_key, _plaintext = issue_key(alpha, email=REP_EMAIL, name="Rep's key")
    client = alpha.client(REP_EMAIL)

    page = client.get("/settings/api-keys/").content.decode()
    revoke = client.post(f"/settings/api-keys/{admins_key.pk}/revoke/")

    assert "Rep&#x27;s key" in page
    assert "Admin&#x27;s key" not in page
    assert revoke.status_code == 404
    with alpha.active():
        assert ApiKey.objects.get(pk=admins_key.pk).revoked_at is None
        assert ApiKey.objects.get(pk=reps_key.pk).revoked_at is None


def test_a_rep_revokes_their_own_key(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha, email=REP_EMAIL)

    response = alpha.client(REP_EMAIL).post(f"/settings/api-keys/{api_key.pk}/revoke/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Revoked" in response.content.decode()
    assert bearer_client(alpha, plaintext).get("/api/v1/contacts/").status_code == 401


def test_a_user_manager_sees_and_revokes_everyones_keys(alpha: TenantFixture):
    reps_key, plaintext = issue_key(alpha, email=REP_EMAIL, name="Rep's key")
    client = alpha.client(ADMIN_EMAIL)

    page = client.get("/settings/api-keys/")
    revoke = client.post(f"/settings/api-keys/{reps_key.pk}/revoke/")

    assert "Rep&#x27;s key" in page.content.decode()
    assert [key.pk for key in page.context["other_keys"]] == [reps_key.pk]
    assert revoke.status_code == 302
    with alpha.active():
        revoked = ApiKey.objects.get(pk=reps_key.pk)
        assert revoked.revoked_at is not None
        assert revoked.revoked_by.email == ADMIN_EMAIL
    assert bearer_client(alpha, plaintext).get("/api/v1/contacts/").status_code == 401


def test_beta_cannot_see_or_revoke_alphas_keys(alpha: TenantFixture, beta: TenantFixture):
    api_key, _plaintext = issue_key(alpha, name="Alpha only")

    page = beta.client().get("/settings/api-keys/").content.decode()

    assert "Alpha only" not in page
    assert_cross_tenant_requests_fail(alpha, beta, [("post", f"/settings/api-keys/{api_key.pk}/revoke/", {})])


def test_the_keys_page_costs_the_same_queries_for_many_keys(alpha: TenantFixture, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = alpha.client()
    for number in range(15):
        issue_key(alpha, email=ADMIN_EMAIL if number % 2 else REP_EMAIL, name=f"Key {number}")

    with django_assert_max_num_queries(8):
        response = client.get("/settings/api-keys/")

    assert response.content.decode().count("data-key-id=") == 15


# --- OAuth applications -----------------------------------------------------------------------------

NEW_APP = {
    "name": "Partner portal",
    "client_type": Application.CLIENT_CONFIDENTIAL,
    "grant_type": Application.GRANT_AUTHORIZATION_CODE,
    "redirect_uris": "https://partner.example.test/callback\nhttp://127.0.0.1:8400/cb",
    "scopes": ["contacts:read"],
}


def test_a_rep_cannot_reach_oauth_applications(alpha: TenantFixture):
    client = alpha.client(REP_EMAIL)

    listed = client.get("/settings/oauth-apps/")
    registered = client.post("/settings/oauth-apps/", NEW_APP)

    assert listed.status_code == 403
    assert registered.status_code == 403
    with alpha.active():
        assert not Application.objects.exists()


def test_an_admin_registers_an_application_and_sees_the_secret_once(alpha: TenantFixture):
    client = alpha.client()

    response = client.post("/settings/oauth-apps/", NEW_APP)
    again = client.get("/settings/oauth-apps/")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    secret = response.context["client_secret"]
    assert secret
    assert secret in response.content.decode()
    assert secret not in again.content.decode()
    with alpha.active():
        application = Application.objects.get()
        assert application.client_secret != secret
        assert application.user.email == ADMIN_EMAIL
        assert application.redirect_uris.split() == NEW_APP["redirect_uris"].split()  # type: ignore[union-attr]
        assert OAuthApplicationScopes.objects.get(application=application).scopes == ["contacts:read"]
    assert application.client_id in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**NEW_APP, "name": ""}, "name"),
        ({**NEW_APP, "redirect_uris": ""}, "redirect_uris"),
        ({**NEW_APP, "redirect_uris": "http://partner.example.test/callback"}, "redirect_uris"),
        ({**NEW_APP, "redirect_uris": "https://partner.example.test/cb#frag"}, "redirect_uris"),
        ({**NEW_APP, "redirect_uris": "not a url"}, "redirect_uris"),
        ({**NEW_APP, "scopes": []}, "scopes"),
        ({**NEW_APP, "grant_type": "password"}, "grant_type"),
        (
            {
                **NEW_APP,
                "grant_type": Application.GRANT_CLIENT_CREDENTIALS,
                "redirect_uris": "",
                "client_type": "public",
            },
            "client_type",
        ),
        ({**NEW_APP, "grant_type": Application.GRANT_CLIENT_CREDENTIALS}, "redirect_uris"),
    ],
)
def test_bad_application_input_is_a_400_naming_the_field(alpha: TenantFixture, data: dict[str, object], field: str):
    response = alpha.client().post("/settings/oauth-apps/", data)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    with alpha.active():
        assert not Application.objects.exists()
        assert not OAuthApplicationScopes.objects.exists()


def test_rotating_the_secret_shows_a_new_one_and_the_old_stops_working(alpha: TenantFixture):
    with alpha.active():
        application, old_secret = register_application(
            name="Nightly", client_type="confidential", grant_type="client-credentials", redirect_uris=[],
            scopes=["contacts:read"], by=alpha.user(),
        )  # fmt: skip

    response = alpha.client().post(f"/settings/oauth-apps/{application.pk}/rotate-secret/")

    assert response.status_code == 200
    new_secret = response.context["client_secret"]
    assert new_secret
    assert new_secret != old_secret
    with alpha.active():
        stored = Application.objects.get(pk=application.pk)
        assert stored.client_secret not in (old_secret, new_secret)


def test_deleting_an_application_removes_it_and_its_scopes(alpha: TenantFixture):
    with alpha.active():
        application, _secret = register_application(
            name="Nightly", client_type="confidential", grant_type="client-credentials", redirect_uris=[],
            scopes=["contacts:read"], by=alpha.user(),
        )  # fmt: skip

    response = alpha.client().post(f"/settings/oauth-apps/{application.pk}/delete/")

    assert response.status_code == 302
    with alpha.active():
        assert not Application.objects.filter(pk=application.pk).exists()
        assert not OAuthApplicationScopes.objects.filter(application_id=application.pk).exists()


def test_beta_cannot_see_rotate_or_delete_alphas_applications(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        application, _secret = register_application(
            name="Alpha partner", client_type="confidential", grant_type="client-credentials", redirect_uris=[],
            scopes=["contacts:read"], by=alpha.user(),
        )  # fmt: skip

    page = beta.client().get("/settings/oauth-apps/").content.decode()

    assert "Alpha partner" not in page
    assert application.client_id not in page
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("post", f"/settings/oauth-apps/{application.pk}/rotate-secret/", {}),
            ("post", f"/settings/oauth-apps/{application.pk}/delete/", {}),
        ],
    )


def test_the_applications_page_costs_the_same_queries_for_many_applications(
    alpha: TenantFixture, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client = alpha.client()
    with alpha.active():
        for number in range(12):
            register_application(
                name=f"App {number}", client_type="confidential", grant_type="client-credentials", redirect_uris=[],
                scopes=["contacts:read"], by=alpha.user(),
            )  # fmt: skip

    with django_assert_max_num_queries(8):
        response = client.get("/settings/oauth-apps/")

    assert response.content.decode().count("data-application=") == 12


def test_only_the_tenants_modules_are_offered_as_scopes(alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=[])  # rolled back with the test
    client = alpha.client()

    page = client.get("/settings/api-keys/")
    refused = client.post("/settings/api-keys/", {**NEW_KEY, "scopes": ["sales:read"]})

    assert [group.module for group in page.context["scope_groups"]] == ["contacts", "activities"]
    assert 'value="sales:read"' not in page.content.decode()
    assert refused.status_code == 400
    assert list(refused.context["form"].errors) == ["scopes"]
