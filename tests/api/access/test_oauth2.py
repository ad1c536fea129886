"""OAuth2: authorization code with PKCE and client credentials, end to end through the test
client, and the tokens' limits (scopes, tenant, user, expiry, deleted application)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import time_machine
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from api.auth.oauth_apps import delete_application, register_application
from identity.models import User
from tests.api.access.helpers import assert_invalid_token, bearer_client, pkce_pair, post_json
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

REDIRECT_URI = "https://client.example.test/callback"


def register(
    fixture: TenantFixture, *, grant_type: str, client_type: str, scopes: list[str]
) -> tuple[Application, str | None]:
    with fixture.active():
        return register_application(
            name="Partner sync",
            client_type=client_type,
            grant_type=grant_type,
            redirect_uris=[REDIRECT_URI] if grant_type == Application.GRANT_AUTHORIZATION_CODE else [],
            scopes=scopes,
            by=User.objects.get(email=ADMIN_EMAIL),
        )


def authorization_params(application: Application, challenge: str, scope: str = "contacts:read") -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "opaque-state",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def consent(fixture: TenantFixture, application: Application, challenge: str, *, email: str = REP_EMAIL) -> str:
    """The signed-in user sees the consent page, allows, and the code comes back on the redirect."""
    client = fixture.client(email)
    params = authorization_params(application, challenge)
    page = client.get(f"/o/authorize/?{urlencode(params)}")
    assert page.status_code == 200
    assert "Customers: read" in page.content.decode()
    answer = client.post("/o/authorize/", {**params, "allow": "Authorize"})
    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["opaque-state"]
    return query["code"][0]


def token_request(fixture: TenantFixture, data: dict[str, str], **headers: Any) -> Any:
    return Client(HTTP_HOST=fixture.host).post("/o/token/", data, **headers)


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


def test_authorization_code_with_pkce_end_to_end(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    assert secret is None  # a public client gets no secret
    verifier, challenge = pkce_pair()
    code = consent(alpha, application, challenge)

    response = token_request(
        alpha,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": application.client_id,
            "code_verifier": verifier,
        },
    )

    assert response.status_code == 200, response.content
    token = response.json()
    assert (token["token_type"], token["scope"]) == ("Bearer", "contacts:read")
    client = bearer_client(alpha, token["access_token"])
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == REP_EMAIL
    assert me.json()["credential"] == {"kind": "oauth2", "scopes": ["contacts:read"]}
    assert client.get("/api/v1/contacts/").status_code == 200
    refused = post_json(client, "/api/v1/contacts/", {"first_name": "Ada", "last_name": "Lovelace"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This credential lacks the contacts:write scope."


def test_the_code_without_its_verifier_gets_no_token(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    _verifier, challenge = pkce_pair()
    code = consent(alpha, application, challenge)

    without = token_request(
        alpha,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": application.client_id,
        },
    )
    wrong = token_request(
        alpha,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": application.client_id,
            "code_verifier": pkce_pair()[0],
        },
    )

    assert without.status_code == 400
    assert without.json()["error"] == "invalid_request"
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    with alpha.active():
        assert not AccessToken.objects.filter(application=application).exists()


def test_authorization_without_a_code_challenge_is_refused(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    params = authorization_params(application, "unused")
    del params["code_challenge"], params["code_challenge_method"]

    response = alpha.client(REP_EMAIL).get(f"/o/authorize/?{urlencode(params)}")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{REDIRECT_URI}?")
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_request"]


def test_a_scope_the_application_was_not_allowed_is_refused_at_consent(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    _verifier, challenge = pkce_pair()

    response = alpha.client(REP_EMAIL).get(
        f"/o/authorize/?{urlencode(authorization_params(application, challenge, scope='contacts:write'))}"
    )

    assert response.status_code == 302
    assert "error=invalid_scope" in response["Location"]


def client_credentials_token(fixture: TenantFixture, application: Application, secret: str, **data: str) -> Any:
    return token_request(
        fixture, {"grant_type": "client_credentials", **data}, **basic_auth(application.client_id, secret)
    )


def test_client_credentials_act_as_the_registering_user_within_the_scopes(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read", "contacts:write"],
    )
    assert secret is not None

    response = client_credentials_token(alpha, application, secret)

    assert response.status_code == 200, response.content
    token = response.json()
    assert token["scope"] == "contacts:read contacts:write"
    with alpha.active():
        stored = AccessToken.objects.get(application=application)
        assert stored.user.email == ADMIN_EMAIL
    client = bearer_client(alpha, token["access_token"])
    created = post_json(client, "/api/v1/contacts/", {"first_name": "Ada", "last_name": "Lovelace"})
    assert created.status_code == 201
    sales = client.get("/api/v1/deals/")
    assert sales.status_code == 403
    assert sales.json()["detail"] == "This credential lacks the sales:read scope."
    me = client.get("/api/v1/me").json()
    assert me["email"] == ADMIN_EMAIL
    assert me["permissions"] == [
        "contacts.change",
        "contacts.delete",
        "contacts.merge",
        "contacts.privacy",
        "contacts.view",
    ]


def test_client_credentials_cannot_ask_for_more_than_the_allowed_scopes(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None

    response = client_credentials_token(alpha, application, secret, scope="contacts:read sales:write")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_client_credentials_with_a_wrong_secret_get_no_token(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )

    response = client_credentials_token(alpha, application, "not-the-secret")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_token_of_alpha_is_unknown_on_betas_host(alpha: TenantFixture, beta: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None
    token = client_credentials_token(alpha, application, secret).json()["access_token"]

    response = bearer_client(beta, token).get("/api/v1/contacts/")
    on_beta = client_credentials_token(beta, application, secret)

    assert_invalid_token(response, "The access token is invalid.")
    assert on_beta.status_code == 401  # the application does not exist there either


def test_an_expired_token_is_a_401(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None
    body = client_credentials_token(alpha, application, secret).json()

    with time_machine.travel(timezone.now() + timedelta(seconds=body["expires_in"] + 1)):
        response = bearer_client(alpha, body["access_token"]).get("/api/v1/contacts/")

    assert_invalid_token(response, "The access token has expired.")


def test_a_deactivated_registering_user_ends_client_credentials(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None
    token = client_credentials_token(alpha, application, secret).json()["access_token"]
    with alpha.active():
        User.objects.filter(email=ADMIN_EMAIL).update(is_active=False)

    response = bearer_client(alpha, token).get("/api/v1/contacts/")
    again = client_credentials_token(alpha, application, secret)

    assert_invalid_token(response, "The user of this access token is deactivated.")
    assert again.status_code == 400
    assert again.json()["error"] == "unauthorized_client"


def test_deleting_the_application_ends_its_tokens(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None
    token = client_credentials_token(alpha, application, secret).json()["access_token"]
    with alpha.active():
        delete_application(application)

    assert_invalid_token(bearer_client(alpha, token).get("/api/v1/contacts/"), "The access token is invalid.")
    with alpha.active():
        assert not AccessToken.objects.filter(application_id=application.pk).exists()


def test_the_client_secret_is_stored_hashed(alpha: TenantFixture):
    application, secret = register(
        alpha,
        grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        scopes=["contacts:read"],
    )
    assert secret is not None

    with alpha.active():
        stored = Application.objects.get(pk=application.pk).client_secret
    assert stored != secret
    assert check_password(secret, stored)


def test_the_consent_page_asks_anonymous_visitors_to_sign_in_first(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    query = urlencode(authorization_params(application, pkce_pair()[1]))

    response = alpha.client(None).get(f"/o/authorize/?{query}")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/o/authorize/")


def test_denying_consent_sends_the_user_back_with_access_denied_and_no_code(alpha: TenantFixture):
    application, _secret = register(
        alpha,
        grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_type=Application.CLIENT_PUBLIC,
        scopes=["contacts:read"],
    )
    params = authorization_params(application, pkce_pair()[1])

    response = alpha.client(REP_EMAIL).post("/o/authorize/", params)

    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert "code" not in query
