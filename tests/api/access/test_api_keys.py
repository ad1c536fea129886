"""API keys on /api/ and /graphql/: each way a key can be wrong is a clear 401 or 403."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from identity.models import ApiKey, User
from identity.services.api_keys import LAST_USED_RESOLUTION, authenticate_api_key, revoke_api_key
from modules.contacts.models import Contact
from tests.api.access.helpers import assert_invalid_token, bearer_client, issue_key, post_json
from tests.api.helpers import PROBLEM_BASE, post_graphql
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_a_key_reads_and_writes_contacts_as_its_user_without_a_csrf_token(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)

    listed = client.get("/api/v1/contacts/")
    created = post_json(client, "/api/v1/contacts/", {"first_name": "Ada", "last_name": "Lovelace"})

    assert listed.status_code == 200
    assert created.status_code == 201, created.content
    with alpha.active():
        contact = Contact.objects.get(pk=created.json()["id"])
        assert contact.owner_id == api_key.user_id


def test_the_key_is_shown_once_and_stored_only_as_a_hash(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)

    prefix, key_id, secret = plaintext.split("_", 2)
    assert (prefix, key_id) == ("rlt", api_key.key_id)
    assert len(secret) == 40
    with alpha.active():
        stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert stored["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(stored)


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer rlt_abcdefgh_nottherightsecret", "Unknown API key."),
        ("Bearer rlt_short_secret", "The API key is malformed."),
        ("Bearer ", 'Send the credential as an "Authorization: Bearer <token>" header.'),
        ("Basic YWRtaW46c2VjcmV0", 'Send the credential as an "Authorization: Bearer <token>" header.'),
        ("Bearer not-a-known-token", "The access token is invalid."),
    ],
)
def test_a_wrong_or_malformed_credential_is_a_401_saying_why(alpha: TenantFixture, header: str, detail: str):
    response = alpha.client(None, HTTP_AUTHORIZATION=header).get("/api/v1/contacts/")

    assert_invalid_token(response, detail)


def test_a_right_key_id_with_a_wrong_secret_is_unknown(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha)

    response = bearer_client(alpha, plaintext[:-1] + ("x" if plaintext[-1] != "x" else "y")).get("/api/v1/contacts/")

    assert_invalid_token(response, "Unknown API key.")


def test_a_bad_bearer_wins_over_a_valid_session(alpha: TenantFixture):
    client = alpha.client(HTTP_AUTHORIZATION="Bearer rlt_abcdefgh_wrong")

    assert_invalid_token(client.get("/api/v1/contacts/"), "Unknown API key.")


def test_a_revoked_key_is_a_401(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)
    with alpha.active():
        revoke_api_key(api_key, by=alpha.user())

    assert_invalid_token(bearer_client(alpha, plaintext).get("/api/v1/contacts/"), "This API key has been revoked.")


def test_an_expired_key_is_a_401(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, expires_at=timezone.now() + timedelta(days=1))
    client = bearer_client(alpha, plaintext)
    assert client.get("/api/v1/contacts/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = client.get("/api/v1/contacts/")

    assert_invalid_token(response, "This API key has expired.")


def test_a_key_of_a_deactivated_user_is_a_401(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, email=REP_EMAIL)
    with alpha.active():
        User.objects.filter(email=REP_EMAIL).update(is_active=False)

    response = bearer_client(alpha, plaintext).get("/api/v1/contacts/")

    assert_invalid_token(response, "The user of this API key is deactivated.")


def test_a_key_of_alpha_is_unknown_on_betas_host(alpha: TenantFixture, beta: TenantFixture):
    _key, plaintext = issue_key(alpha)
    with beta.active():
        contacts = Contact.objects.count()

    listed = bearer_client(beta, plaintext).get("/api/v1/contacts/")
    created = post_json(bearer_client(beta, plaintext), "/api/v1/contacts/", {"first_name": "Eve", "last_name": "X"})
    graphql = post_graphql(bearer_client(beta, plaintext), "{ me { email } }")

    assert_invalid_token(listed, "Unknown API key.")
    assert_invalid_token(created, "Unknown API key.")
    assert graphql.status_code == 401
    with beta.active():
        assert Contact.objects.count() == contacts


def test_a_key_without_the_modules_scope_is_a_403_naming_the_scope(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("sales:read",))

    response = bearer_client(alpha, plaintext).get("/api/v1/contacts/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"{PROBLEM_BASE}permission-denied"
    assert body["detail"] == "This credential lacks the contacts:read scope."


def test_a_read_scope_can_get_but_not_post(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("contacts:read",))
    client = bearer_client(alpha, plaintext)
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
        contacts = Contact.objects.count()

    listed = client.get("/api/v1/contacts/")
    read = client.get(f"/api/v1/contacts/{contact.pk}/")
    created = post_json(client, "/api/v1/contacts/", {"first_name": "Ada", "last_name": "Lovelace"})
    deleted = client.delete(f"/api/v1/contacts/{contact.pk}/")

    assert (listed.status_code, read.status_code) == (200, 200)
    assert created.status_code == 403
    assert created.json()["detail"] == "This credential lacks the contacts:write scope."
    assert deleted.status_code == 403
    with alpha.active():
        assert Contact.objects.count() == contacts


def test_a_key_cannot_do_more_than_its_users_role(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, email="rep@example.test", scopes=("contacts:read", "contacts:write"))
    with alpha.active():
        contact = ContactFactory(owner=alpha.user(REP_EMAIL))

    response = bearer_client(alpha, plaintext).delete(f"/api/v1/contacts/{contact.pk}/")

    assert response.status_code == 403  # reps may not delete, whatever the key's scopes
    with alpha.active():
        assert Contact.objects.filter(pk=contact.pk).exists()


CONTACTS_QUERY = "{ contacts(first: 5) { edges { node { fullName } } } }"
CONTACT_CREATE = """
mutation { contactCreate(input: {firstName: "Ada", lastName: "Lovelace"}) {
  contact { fullName } errors { field message code } } }
"""


def test_graphql_without_the_scope_is_an_insufficient_scope_error(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("sales:read",))

    response = post_graphql(bearer_client(alpha, plaintext), CONTACTS_QUERY)

    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert "contacts.view" in error["message"]


def test_graphql_read_scope_queries_but_cannot_mutate(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("contacts:read",))
    client = bearer_client(alpha, plaintext)
    with alpha.active():
        contacts = Contact.objects.count()

    queried = post_graphql(client, CONTACTS_QUERY)
    mutated = post_graphql(client, CONTACT_CREATE)

    assert "errors" not in queried.json()
    payload = mutated.json()["data"]["contactCreate"]
    assert payload["contact"] is None
    assert payload["errors"] == [
        {
            "field": None,
            "message": "This credential's scopes do not allow this (contacts.change).",
            "code": "PERMISSION_DENIED",
        }
    ]
    with alpha.active():
        assert Contact.objects.count() == contacts


def test_graphql_write_scope_mutates_without_a_csrf_token(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("contacts:write",))

    response = post_graphql(bearer_client(alpha, plaintext), CONTACT_CREATE)

    assert response.json()["data"]["contactCreate"]["contact"] == {"fullName": "Ada Lovelace"}


def test_a_bad_key_on_graphql_is_a_401_in_graphqls_shape(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha)
    with alpha.active():
        ApiKey.objects.update(revoked_at=timezone.now())

    response = post_graphql(bearer_client(alpha, plaintext), "{ me { email } }")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [{"message": "This API key has been revoked.", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert response["WWW-Authenticate"].startswith('Bearer realm="api", error="invalid_token"')


def test_session_posts_still_need_a_csrf_token(alpha: TenantFixture):
    client = alpha.client(enforce_csrf_checks=True)  # type: ignore[arg-type]

    rest = post_json(client, "/api/v1/contacts/", {"first_name": "Ada", "last_name": "Lovelace"})
    graphql = post_graphql(client, CONTACT_CREATE)

    assert rest.status_code == 403
    assert rest.json()["type"] == f"{PROBLEM_BASE}csrf-failed"
    assert graphql.status_code == 403


def test_last_used_is_recorded_at_most_once_a_minute(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get("/api/v1/me")
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/api/v1/me")
        with alpha.active():
            after_30_seconds = ApiKey.objects.get(pk=api_key.pk).last_used_at
    with time_machine.travel(start + LAST_USED_RESOLUTION + timedelta(seconds=1), tick=False):
        client.get("/api/v1/me")
        with alpha.active():
            after_a_minute = ApiKey.objects.get(pk=api_key.pk).last_used_at

    assert after_30_seconds == start
    assert after_a_minute == start + LAST_USED_RESOLUTION + timedelta(seconds=1)


def test_a_request_within_the_minute_writes_nothing(alpha: TenantFixture, django_assert_num_queries):  # type: ignore[no-untyped-def]
    _key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)
    client.get("/api/v1/me")

    with alpha.active():
        ApiKey.objects.exists()  # the schema's search path is set on the first query
        with django_assert_num_queries(1) as captured:  # the key, its user and role; no UPDATE
            authenticate_api_key(plaintext)

    assert not any(query["sql"].startswith("UPDATE") for query in captured.captured_queries)


def test_a_bearer_token_on_the_public_host_reaches_no_api(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha)

    response = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/contacts/")

    assert response.status_code == 404
