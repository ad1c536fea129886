"""Cached API keys: no key query on a repeated request, and every change to the key, its user or
its role applies to the very next request; visibility and tenant isolation are unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity import credential_cache
from identity.models import ApiKey, Role, User
from identity.services.api_keys import revoke_api_key
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from tests.api.access.helpers import assert_invalid_token, bearer_client, issue_key
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("_caches_on")


@pytest.fixture
def _caches_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_PATH_CACHES = True  # off by default in the suite (crm_platform/settings/test.py)


@pytest.fixture(autouse=True)
def _no_local_entries() -> Iterator[None]:
    credential_cache.forget_local()
    yield
    credential_cache.forget_local()


def _list(client) -> tuple[int, int, list[int]]:
    """Status, key queries and the contact ids of one list request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/contacts/?page_size=100")
    key_queries = sum('"identity_apikey"' in query["sql"] for query in queries.captured_queries)
    ids = sorted(row["id"] for row in response.json()["results"]) if response.status_code == 200 else []
    return response.status_code, key_queries, ids


def test_a_repeated_request_reads_the_key_from_the_cache(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)

    first = _list(client)
    second = _list(client)

    assert (first[0], second[0]) == (200, 200)
    assert first[1] >= 1
    assert second[1] == 0
    assert first[2] == second[2]


def test_recording_a_keys_use_keeps_the_cache(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)
    with alpha.active():
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))

    stamping = _list(client)
    cached = _list(client)

    with alpha.active():
        stamped = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert stamping[0] == cached[0] == 200
    assert stamping[1] == 2  # the key's row read, then its use recorded
    assert timezone.now() - stamped < timedelta(minutes=1)
    assert cached[1] == 0


def test_a_revocation_applies_to_the_next_request(alpha: TenantFixture):
    api_key, plaintext = issue_key(alpha)
    client = bearer_client(alpha, plaintext)
    assert _list(client)[0] == 200

    with alpha.active():
        revoke_api_key(api_key, by=alpha.user())

    assert_invalid_token(client.get("/api/v1/contacts/"), "This API key has been revoked.")


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_deactivated_user_applies_to_the_next_request(alpha: TenantFixture, how: str):
    _key, plaintext = issue_key(alpha, email=REP_EMAIL)
    client = bearer_client(alpha, plaintext)
    assert _list(client)[0] == 200

    with alpha.active():
        if how == "save":
            user = User.objects.get(email=REP_EMAIL)
            user.is_active = False
            user.save(update_fields=["is_active"])
        else:
            User.objects.filter(email=REP_EMAIL).update(is_active=False)

    assert_invalid_token(client.get("/api/v1/contacts/"), "The user of this API key is deactivated.")


def test_a_role_losing_the_permission_applies_to_the_next_request(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, email=REP_EMAIL)
    client = bearer_client(alpha, plaintext)
    assert _list(client)[0] == 200

    with alpha.active():
        role = User.objects.get(email=REP_EMAIL).role
        assert role is not None
        role.permissions = [code for code in role.permissions if not code.startswith("contacts.")]
        role.save(update_fields=["permissions"])

    assert client.get("/api/v1/contacts/").status_code == 403


def test_record_visibility_still_applies_to_a_cached_key(alpha: TenantFixture):
    with alpha.active():
        rep = User.objects.get(email=REP_EMAIL)
        admin = alpha.user()
        Role.objects.filter(pk=rep.role_id).update(record_visibility="own")
        own = ContactFactory(owner=rep)
        ContactFactory(owner=admin)
        rep.refresh_from_db()
        visible = sorted(restrict_to_visible(Contact.objects.all(), rep).values_list("id", flat=True))
        assert len(visible) < Contact.objects.count()
    _key, plaintext = issue_key(alpha, email=REP_EMAIL)
    client = bearer_client(alpha, plaintext)
    assert _list(client)[0] == 200  # the first use records it (a change)

    first = _list(client)
    second = _list(client)

    assert first[2] == second[2] == visible
    assert own.pk in second[2]
    assert second[1] == 0


def test_a_cached_key_of_alpha_is_unknown_on_betas_host(alpha: TenantFixture, beta: TenantFixture):
    _key, plaintext = issue_key(alpha)
    assert _list(bearer_client(alpha, plaintext))[0] == 200

    assert_invalid_token(bearer_client(beta, plaintext).get("/api/v1/contacts/"), "Unknown API key.")


def test_a_key_without_the_scope_is_refused_when_cached(alpha: TenantFixture):
    _key, plaintext = issue_key(alpha, scopes=("sales:read",))
    client = bearer_client(alpha, plaintext)

    assert client.get("/api/v1/contacts/").status_code == 403
    assert client.get("/api/v1/contacts/").status_code == 403
