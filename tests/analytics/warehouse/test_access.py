"""Who reaches the warehouse export: administrators on the page and the API; not another tenant,
not a role without the permissions, not a key without the scopes; bad input is a 4xx."""

from __future__ import annotations

from typing import Any

import pytest

from modules.analytics.warehouse.models import WarehouseExport
from tests.analytics.warehouse.conftest import archive_of, body_of, finished_export
from tests.api.access.helpers import bearer_client, issue_key
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant

SCOPES = ("analytics:read", "analytics:write", "contacts:read", "sales:read", "activities:read")
API = "/api/v1/analytics/warehouse-exports/"


def test_the_admin_starts_follows_and_downloads_an_export_on_the_page(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any
):
    client = alpha.client()
    assert client.get("/analytics/warehouse/").status_code == 200
    export = finished_export(alpha, django_capture_on_commit_callbacks)
    for _ in range(4):
        finished_export(alpha, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12):
        page = client.get("/analytics/warehouse/")
    assert page.status_code == 200
    assert f"/analytics/warehouse/{export.pk}/download/".encode() not in page.content  # pruned: only 3 kept
    with alpha.active():
        latest = WarehouseExport.objects.latest("id")
    assert f"/analytics/warehouse/{latest.pk}/download/".encode() in page.content
    fragment = client.get("/analytics/warehouse/", headers={"HX-Request": "true"})
    assert b'data-testid="warehouse-exports"' in fragment.content
    assert b"<html" not in fragment.content
    assert "/analytics/warehouse/" in alpha.client().get("/analytics/").content.decode()


def test_another_tenant_cannot_reach_an_export(
    alpha: TenantFixture, beta: TenantFixture, django_capture_on_commit_callbacks: Any
):
    export = finished_export(alpha, django_capture_on_commit_callbacks)
    assert_cross_tenant_requests_fail(alpha, beta, [("get", f"/analytics/warehouse/{export.pk}/download/", {})])
    _key, beta_token = issue_key(beta, scopes=SCOPES)
    beta_api = bearer_client(beta, beta_token)
    assert beta_api.get(f"{API}{export.pk}/").status_code == 404
    assert beta_api.get(f"{API}{export.pk}/download/").status_code == 404
    assert beta_api.get(API).json()["results"] == []


@pytest.mark.parametrize("email", [REP_EMAIL, "manager@example.test"])
def test_a_role_without_the_admin_permissions_is_refused(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any, email: str
):
    export = finished_export(alpha, django_capture_on_commit_callbacks)
    grant(alpha, "sales_rep", "analytics.view", "data.export")  # still not an administrator
    grant(alpha, "manager", "analytics.view")
    with alpha.active():
        from identity.models import Role, User

        if not User.objects.filter(email=email).exists():
            User.objects.create(email=email, full_name="Manager", role=Role.objects.get(key="manager"))
    client = alpha.client(email)
    assert client.get("/analytics/warehouse/").status_code == 403
    assert client.post("/analytics/warehouse/").status_code == 403
    assert client.get(f"/analytics/warehouse/{export.pk}/download/").status_code == 403
    _key, token = issue_key(alpha, email=email, scopes=SCOPES)
    api = bearer_client(alpha, token)
    assert api.get(API).status_code == 403
    assert api.post(API, content_type="application/json").status_code == 403
    assert api.get(f"{API}{export.pk}/download/").status_code == 403
    with alpha.active():
        assert WarehouseExport.objects.count() == 1


def test_the_api_starts_an_export_and_downloads_its_parquet_files(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any
):
    _key, token = issue_key(alpha, scopes=SCOPES)
    api = bearer_client(alpha, token)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(API, content_type="application/json")
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "queued"
    assert body["download_url"] is None
    assert api.get(f"{API}{body['id']}/download/").status_code == 404  # not built yet
    from modules.analytics.warehouse.services import run_export

    with alpha.active():
        run_export(body["id"])
    detail = api.get(f"{API}{body['id']}/").json()
    assert detail["status"] == "done"
    assert detail["download_url"] == f"{API}{body['id']}/download/"
    assert detail["created_by"]["email"] == "admin@example.test"
    response = api.get(detail["download_url"])
    assert response.status_code == 200
    assert "deals.parquet" in archive_of(body_of(response)).namelist()
    assert [row["id"] for row in api.get(API).json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("scopes", "missing"),
    [
        (("contacts:read", "sales:read", "activities:read"), "analytics:read"),
        (("analytics:read", "sales:read", "activities:read"), "contacts:read"),
        (("analytics:read", "contacts:read", "activities:read"), "sales:read"),
    ],
)
def test_a_key_without_a_scope_is_refused_naming_it(
    alpha: TenantFixture, django_capture_on_commit_callbacks: Any, scopes: tuple[str, ...], missing: str
):
    export = finished_export(alpha, django_capture_on_commit_callbacks)
    _key, token = issue_key(alpha, scopes=scopes)
    api = bearer_client(alpha, token)
    for response in (api.get(API), api.get(f"{API}{export.pk}/download/")):
        assert response.status_code == 403
        assert missing in response.json()["detail"]


def test_starting_an_export_needs_the_write_scope(alpha: TenantFixture):
    _key, token = issue_key(alpha, scopes=tuple(scope for scope in SCOPES if scope != "analytics:write"))
    response = bearer_client(alpha, token).post(API, content_type="application/json")
    assert response.status_code == 403
    assert "analytics:write" in response.json()["detail"]
    with alpha.active():
        assert not WarehouseExport.objects.exists()


def test_bad_input_is_a_4xx_never_a_500(alpha: TenantFixture):
    _key, token = issue_key(alpha, scopes=SCOPES)
    api = bearer_client(alpha, token)
    refused = api.post(API, {"tables": "deals\x00"}, content_type="application/json")
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["errors"]] == ["tables"]
    for path in (f"{API}999999999999999999999/", f"{API}abc/download/", f"{API}999999999/download/"):
        assert api.get(path).status_code == 404, path
    client = alpha.client()
    assert client.get("/analytics/warehouse/99999999999999999999/download/").status_code == 404
    assert client.get("/analytics/warehouse/999999/download/").status_code == 404
    assert client.delete("/analytics/warehouse/").status_code == 405
    with alpha.active():
        assert not WarehouseExport.objects.exists()
