"""Idempotency-Key on REST POST and PATCH: a retry gets the first answer, never a second record."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from api.idempotency.middleware import IdempotencyMiddleware
from api.idempotency.models import IdempotencyRecord
from api.idempotency.tasks import purge_idempotency_records
from crm_platform.celery import app
from identity.services.api_keys import create_api_key
from modules.contacts.models import Company
from tests.api.helpers import PROBLEM_BASE
from tests.api.rest_crm.helpers import api_client
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def send(client, method: str, path: str, data: dict[str, object], key: str | None):  # type: ignore[no-untyped-def]
    headers = {} if key is None else {"Idempotency-Key": key}
    return getattr(client, method)(path, data, content_type="application/json", headers=headers)


def test_the_same_key_twice_creates_one_record_and_replays_the_first_answer(alpha: TenantFixture):
    client = api_client(alpha)
    with alpha.active():
        before = Company.objects.count()

    first = send(client, "post", "/api/v1/companies/", {"name": "Once Only"}, "create-once-1")
    retry = send(client, "post", "/api/v1/companies/", {"name": "Once Only"}, "create-once-1")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["Content-Type"] == first["Content-Type"] == "application/json"
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    with alpha.active():
        assert Company.objects.count() == before + 1
        record = IdempotencyRecord.objects.get()
        assert (record.credential_id, record.key, record.method, record.path) == (
            f"user:{alpha.user().pk}",
            "create-once-1",
            "POST",
            "/api/v1/companies/",
        )
        assert record.response_status == 201


def test_the_same_key_with_another_body_is_a_422_naming_the_header_and_writes_nothing(alpha: TenantFixture):
    client = api_client(alpha)
    send(client, "post", "/api/v1/companies/", {"name": "First Body"}, "reused-key")
    with alpha.active():
        before = Company.objects.count()

    response = send(client, "post", "/api/v1/companies/", {"name": "Second Body"}, "reused-key")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"{PROBLEM_BASE}idempotency-key-reused"
    assert [error["field"] for error in body["errors"]] == ["Idempotency-Key"]
    with alpha.active():
        assert Company.objects.count() == before
        assert not Company.objects.filter(name="Second Body").exists()
        assert IdempotencyRecord.objects.count() == 1


def test_a_replayed_patch_returns_the_first_answer_and_changes_nothing_again(alpha: TenantFixture):
    client = api_client(alpha)
    with alpha.active():
        company = CompanyFactory(name="Before")
    path = f"/api/v1/companies/{company.pk}/"

    first = send(client, "patch", path, {"name": "Patched"}, "patch-1")
    send(client, "patch", path, {"name": "Changed since"}, None)
    retry = send(client, "patch", path, {"name": "Patched"}, "patch-1")

    assert first.status_code == retry.status_code == 200
    assert first.json()["name"] == "Patched"
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    with alpha.active():
        company.refresh_from_db()
        assert company.name == "Changed since"


def test_an_invalid_answer_is_kept_and_replayed_too(alpha: TenantFixture):
    client = api_client(alpha)

    first = send(client, "post", "/api/v1/companies/", {"name": ""}, "invalid-once")
    retry = send(client, "post", "/api/v1/companies/", {"name": ""}, "invalid-once")

    assert first.status_code == retry.status_code == 400
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"


def test_an_empty_a_too_long_or_a_non_ascii_key_is_a_400_naming_the_header(alpha: TenantFixture):
    client = api_client(alpha)
    with alpha.active():
        before = Company.objects.count()

    responses = [send(client, "post", "/api/v1/companies/", {"name": "Bad Key"}, key) for key in ("", "k" * 256, "clé")]

    assert [response.status_code for response in responses] == [400, 400, 400]
    for response in responses:
        body = response.json()
        assert body["type"] == f"{PROBLEM_BASE}invalid-idempotency-key"
        assert [error["field"] for error in body["errors"]] == ["Idempotency-Key"]
    with alpha.active():
        assert Company.objects.count() == before
        assert IdempotencyRecord.objects.count() == 0


def test_a_key_of_the_longest_length_is_accepted(alpha: TenantFixture):
    response = send(api_client(alpha), "post", "/api/v1/companies/", {"name": "Long Key"}, "k" * 255)

    assert response.status_code == 201


def test_keys_belong_to_their_credential_and_tenant(alpha: TenantFixture, beta: TenantFixture):
    alpha_first = send(api_client(alpha), "post", "/api/v1/companies/", {"name": "Alpha Co"}, "shared-key")
    alpha_rep = send(api_client(alpha, REP_EMAIL), "post", "/api/v1/companies/", {"name": "Rep Co"}, "shared-key")
    beta_first = send(api_client(beta), "post", "/api/v1/companies/", {"name": "Beta Co"}, "shared-key")

    assert (alpha_first.status_code, alpha_rep.status_code, beta_first.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in beta_first
    with alpha.active():
        assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2
        assert not Company.objects.filter(name="Beta Co").exists()
    with beta.active():
        assert IdempotencyRecord.objects.filter(key="shared-key").count() == 1
        assert Company.objects.filter(name="Beta Co").count() == 1


def test_requests_without_a_key_or_credential_or_of_other_methods_are_untouched(alpha: TenantFixture):
    anonymous = send(alpha.client(None), "post", "/api/v1/companies/", {"name": "Nobody"}, "anon-key")
    listing = api_client(alpha).get("/api/v1/companies/", headers={"Idempotency-Key": "get-key"})

    assert anonymous.status_code == 401
    assert listing.status_code == 200
    with alpha.active():
        assert IdempotencyRecord.objects.count() == 0


def failing_request(fixture: TenantFixture, status: int) -> HttpResponse:
    """A POST whose view writes a company, then answers ``status``."""

    def view(request: HttpRequest) -> HttpResponse:
        CompanyFactory(name=f"Written before a {status}")
        return HttpResponse(b"{}", status=status, content_type="application/json")

    request = RequestFactory().post(
        "/api/v1/companies/", b"{}", content_type="application/json", headers={"Idempotency-Key": f"fails-{status}"}
    )
    request.tenant = fixture.tenant  # type: ignore[attr-defined]
    request.user = fixture.user()
    with fixture.active():
        return IdempotencyMiddleware(view)(request)


def test_a_server_error_keeps_neither_the_record_nor_the_writes(alpha: TenantFixture):
    response = failing_request(alpha, 500)

    assert response.status_code == 500
    with alpha.active():
        assert IdempotencyRecord.objects.count() == 0
        assert not Company.objects.filter(name="Written before a 500").exists()


def test_a_refusal_for_a_reason_outside_the_request_is_not_kept(alpha: TenantFixture):
    response = failing_request(alpha, 403)

    assert response.status_code == 403
    with alpha.active():
        assert IdempotencyRecord.objects.count() == 0


def test_records_older_than_a_day_are_purged_in_their_tenant_only(alpha: TenantFixture, beta: TenantFixture):
    now = timezone.now()
    for fixture in (alpha, beta):
        with fixture.active():
            for key, age in (("old", timedelta(hours=25)), ("new", timedelta(hours=23))):
                IdempotencyRecord.objects.create(
                    credential_id="user:1",
                    key=key,
                    method="POST",
                    path="/api/v1/tags/",
                    fingerprint="0" * 64,
                    response_status=201,
                    created_at=now - age,
                )

    with alpha.active():
        purged = purge_idempotency_records()

    assert purged == 1
    with alpha.active():
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    with beta.active():
        assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new", "old"]


def test_the_purge_runs_per_tenant_from_beat(alpha: TenantFixture):
    entry = app.conf.beat_schedule["idempotency-purge-records"]

    assert (entry["task"], entry["schedule"]) == ("api.idempotency.tasks.purge_all_idempotency_records", 3600.0)
    assert entry["task"] in app.tasks
    # Sent without a tenant (as beat does), the per-tenant task does nothing.
    assert purge_idempotency_records() == 0


def test_an_api_keys_retry_is_replayed_and_another_keys_same_value_is_not(alpha: TenantFixture):
    with alpha.active():
        key_a_row, first_key = create_api_key(user=alpha.user(), name="Key A", scopes=["contacts:write"])
        key_b_row, second_key = create_api_key(user=alpha.user(), name="Key B", scopes=["contacts:write"])
    key_a = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {first_key}")
    key_b = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {second_key}")

    first = send(key_a, "post", "/api/v1/companies/", {"name": "Keyed Alpha Industries"}, "integration-7")
    retry = send(key_a, "post", "/api/v1/companies/", {"name": "Keyed Alpha Industries"}, "integration-7")
    other = send(key_b, "post", "/api/v1/companies/", {"name": "Northwind Traders"}, "integration-7")

    assert (first.status_code, retry.status_code, other.status_code) == (201, 201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in other
    with alpha.active():
        assert Company.objects.filter(name__in=["Keyed Alpha Industries", "Northwind Traders"]).count() == 2
        assert sorted(IdempotencyRecord.objects.values_list("credential_id", flat=True)) == sorted(
            [f"key:{key_a_row.pk}", f"key:{key_b_row.pk}"]
        )


def test_a_method_the_route_does_not_take_is_a_405_whatever_key_it_carries(alpha: TenantFixture):
    client = api_client(alpha)
    with alpha.active():
        company = CompanyFactory(name="Kept")
    path = f"/api/v1/companies/{company.pk}/"

    first = send(client, "post", path, {"name": "One"}, "undeclared-method")
    reused = send(client, "post", path, {"name": "Two"}, "undeclared-method")
    unrouted = send(client, "patch", "/api/v1/nothing-here/", {"name": "Three"}, "undeclared-method")

    assert (first.status_code, reused.status_code, unrouted.status_code) == (405, 405, 404)
    assert reused.json()["type"] == f"{PROBLEM_BASE}method-not-allowed"
    with alpha.active():
        assert not IdempotencyRecord.objects.exists()
        company.refresh_from_db()
        assert company.name == "Kept"
