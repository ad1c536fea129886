"""Support staff signed in as a user (console impersonation) cannot make credentials or change how
the user signs in: a credential made then would outlive the impersonation's time limit."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import AccessToken, Application, Grant

from api.auth.oauth_apps import register_application
from identity.models import ApiKey
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture, impersonating_client

NEW_KEY = {"name": "Mine now", "scopes": ["contacts:read"], "expires_on": "", "current_password": PASSWORD}
NEW_APP = {
    "name": "Side door",
    "client_type": Application.CLIENT_CONFIDENTIAL,
    "grant_type": Application.GRANT_CLIENT_CREDENTIALS,
    "redirect_uris": "",
    "scopes": ["contacts:read"],
}


def _refusal(email: str, what: str) -> str:
    return (
        f"Support staff acting as {email} cannot {what}: credentials and sign-in settings stay with the"
        " account&#x27;s owner."
    )


def test_api_keys_cannot_be_created_while_impersonating(alpha: TenantFixture) -> None:
    client = impersonating_client(alpha, REP_EMAIL)

    listed = client.get("/settings/api-keys/")
    refused = client.post("/settings/api-keys/", NEW_KEY)

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert _refusal(REP_EMAIL, "create API keys") in refused.content.decode()
    with alpha.active():
        assert not ApiKey.objects.exists()


def test_the_owner_of_the_account_still_creates_keys(alpha: TenantFixture) -> None:
    response = alpha.client(REP_EMAIL).post("/settings/api-keys/", NEW_KEY)

    assert response.status_code == 201
    with alpha.active():
        assert ApiKey.objects.get().name == "Mine now"


def test_oauth_applications_cannot_be_registered_or_given_new_secrets_while_impersonating(alpha: TenantFixture) -> None:
    with alpha.active():
        application, _secret = register_application(
            name="Existing",
            client_type=Application.CLIENT_CONFIDENTIAL,
            grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris=[],
            scopes=["contacts:read"],
            by=alpha.user(),
        )
        secret_before = Application.objects.get(pk=application.pk).client_secret
    client = impersonating_client(alpha, ADMIN_EMAIL)

    registered = client.post("/settings/oauth-apps/", NEW_APP)
    rotated = client.post(f"/settings/oauth-apps/{application.pk}/rotate-secret/")

    assert (registered.status_code, rotated.status_code) == (403, 403)
    assert _refusal(ADMIN_EMAIL, "register OAuth applications") in registered.content.decode()
    assert _refusal(ADMIN_EMAIL, "make new client secrets") in rotated.content.decode()
    with alpha.active():
        assert list(Application.objects.values_list("name", flat=True)) == ["Existing"]
        assert Application.objects.get(pk=application.pk).client_secret == secret_before


def test_applications_cannot_be_authorized_while_impersonating(alpha: TenantFixture) -> None:
    client = impersonating_client(alpha, REP_EMAIL)

    response = client.get(
        "/o/authorize/", {"response_type": "code", "client_id": "anything", "code_challenge": "x" * 43}
    )

    assert response.status_code == 403
    assert _refusal(REP_EMAIL, "authorize applications") in response.content.decode()
    with alpha.active():
        assert not Grant.objects.exists()
        assert not AccessToken.objects.exists()


def test_two_factor_cannot_be_set_up_or_turned_off_while_impersonating(alpha: TenantFixture) -> None:
    with alpha.active():
        device = TOTPDevice.objects.create(user=alpha.user(REP_EMAIL), name="phone", confirmed=True)
    client = impersonating_client(alpha, REP_EMAIL)

    page = client.get("/account/two-factor/")
    disabled = client.post("/account/two-factor/disable/", {"current_password": PASSWORD})

    assert (page.status_code, disabled.status_code) == (403, 403)
    assert _refusal(REP_EMAIL, "change two-factor authentication") in disabled.content.decode()
    with alpha.active():
        assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(device.pk, True)]


def test_setting_a_new_password_is_refused_while_impersonating(alpha: TenantFixture) -> None:
    client = impersonating_client(alpha, REP_EMAIL)

    response = client.get("/password-reset/MQ/set-password/")

    assert response.status_code == 403
    assert _refusal(REP_EMAIL, "change the password") in response.content.decode()
