"""REST /api/v1/quotes/<id>/shares/: a link is made (token shown once, only its hash kept), listed
without its token, withdrawn; permissions, scopes, visibility, tenant isolation and Idempotency-Key."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache

from api.idempotency.models import IdempotencyRecord
from customization.events.models import DomainEvent
from identity.models import Role
from identity.services.accounts import ensure_user
from modules.sales.models import Quote, QuoteShare
from modules.sales.services.quote_sharing import share_quote
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, post
from tests.sales.catalog.test_public_quote import customer, draft_quote
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture

SALES_SCOPES = ("sales:read", "sales:write")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_a_link_is_made_once_listed_without_its_token_and_withdrawn(alpha: TenantFixture):
    quote = draft_quote(alpha)
    client = api_client(alpha)

    made = post(client, f"/api/v1/quotes/{quote.pk}/shares/")
    listed = client.get(f"/api/v1/quotes/{quote.pk}/shares/")

    assert made.status_code == 201, made.content
    assert made["Cache-Control"] == "no-store"
    body = made.json()
    token = body["token"]
    assert body["url"] == f"http://{alpha.host}/quote/{token}/"
    assert body["quote"] == quote.pk
    with alpha.active():
        assert body["created_by"]["id"] == alpha.user().pk
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [body["id"]]
    assert "token" not in listed.json()[0]
    assert token not in listed.content.decode()
    with alpha.active():
        share = QuoteShare.objects.get()
        assert share.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert Quote.objects.get(pk=quote.pk).status == "sent"
        assert DomainEvent.objects.filter(type="quote.shared", record_id=quote.pk).count() == 1
    assert customer(alpha).get(f"/quote/{token}/").status_code == 200

    withdrawn = client.delete(f"/api/v1/quotes/{quote.pk}/shares/{body['id']}/")

    assert withdrawn.status_code == 204
    assert client.get(f"/api/v1/quotes/{quote.pk}/shares/").json() == []
    assert customer(alpha).get(f"/quote/{token}/").status_code == 410


def test_a_quote_that_cannot_be_shared_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    empty = draft_quote(alpha, lines=0)
    client = api_client(alpha)

    refused = post(client, f"/api/v1/quotes/{empty.pk}/shares/")

    assert refused.status_code == 400
    assert field_names(refused) == ["status"]
    with alpha.active():
        assert not QuoteShare.objects.exists()
        assert Quote.objects.get(pk=empty.pk).status == "draft"
        assert not DomainEvent.objects.filter(type="quote.shared").exists()


def test_a_retried_request_with_the_same_idempotency_key_never_replays_the_token(alpha: TenantFixture):
    quote = draft_quote(alpha)
    _key, token = issue_key(alpha, scopes=SALES_SCOPES)
    client = bearer_client(alpha, token)

    path = f"/api/v1/quotes/{quote.pk}/shares/"
    first = client.post(path, {}, content_type="application/json", headers={"Idempotency-Key": "share-1"})
    second = client.post(path, {}, content_type="application/json", headers={"Idempotency-Key": "share-1"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert first.json()["token"] != second.json()["token"]
    with alpha.active():
        stored = b"".join(
            bytes(body or b"") for body in IdempotencyRecord.objects.values_list("response_body", flat=True)
        )
        assert first.json()["token"].encode() not in stored
        assert second.json()["token"].encode() not in stored
        working = [share.pk for share in QuoteShare.objects.filter(revoked_at__isnull=True)]
    assert working == [second.json()["id"]]


def test_roles_and_keys_without_the_permission_or_scope_are_refused(alpha: TenantFixture):
    quote = draft_quote(alpha)
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
        role = Role.objects.create(key="no_sales", name="No sales", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nosales@example.test", password=PASSWORD, role=role, full_name="No Sales")
        ensure_user(email="reader@example.test", password=PASSWORD, role=Role.objects.get(key="read_only"))
    without_view = api_client(alpha, "nosales@example.test")
    reader = api_client(alpha, "reader@example.test")
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read", "contacts:write"))
    _key, sales_read = issue_key(alpha, scopes=("sales:read",), name="Reader")
    path = f"/api/v1/quotes/{quote.pk}/shares/"

    assert without_view.get(path).status_code == 403
    assert post(without_view, path).status_code == 403
    assert bearer_client(alpha, contacts_only).get(path).status_code == 403
    assert reader.get(path).status_code == 200
    assert post(reader, path).status_code == 403
    assert reader.delete(f"{path}{share.pk}/").status_code == 403
    assert bearer_client(alpha, sales_read).get(path).status_code == 200
    assert bearer_client(alpha, sales_read).post(path, {}, content_type="application/json").status_code == 403
    assert bearer_client(alpha, sales_read).delete(f"{path}{share.pk}/").status_code == 403
    with alpha.active():
        assert list(QuoteShare.objects.values_list("pk", "revoked_at")) == [(share.pk, None)]


def test_a_rep_cannot_share_or_see_the_links_of_a_quote_outside_their_visibility(alpha: TenantFixture):
    quote = draft_quote(alpha)  # owned by the admin
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
    rep = api_client(alpha, REP_EMAIL)
    path = f"/api/v1/quotes/{quote.pk}/shares/"

    assert rep.get(path).status_code == 404
    assert post(rep, path).status_code == 404
    assert rep.delete(f"{path}{share.pk}/").status_code == 404
    with alpha.active():
        assert QuoteShare.objects.get().revoked_at is None


def test_links_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    quote = draft_quote(alpha)
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/quotes/{quote.pk}/shares/", {}),
        ("post", f"/api/v1/quotes/{quote.pk}/shares/", {}),
        ("delete", f"/api/v1/quotes/{quote.pk}/shares/{share.pk}/", {}),
    ])  # fmt: skip
