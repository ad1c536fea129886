"""REST /api/v1/collateral_items/ (fields, versions uploaded as multipart, downloads) and the
GraphQL collateral items: the page's upload checks, events, permissions, scopes, the plan, tenant
isolation and query counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from graphql_relay import to_global_id

from customization.events.models import DomainEvent
from identity.models import Role
from identity.services.accounts import ensure_user
from modules.contacts.models import Tag
from modules.marketing.collateral.models import CollateralItem, CollateralVersion
from modules.marketing.collateral.services import add_version, create_item
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.marketing.collateral.conftest import PDF
from tests.tenancy import PASSWORD, TenantFixture
from tests.tenancy import schema_snapshot as _schema_snapshot


def _item(alpha: TenantFixture, title: str = "Price sheet", **values: Any) -> CollateralItem:
    with alpha.active():
        return create_item(title=title, upload=SimpleUploadedFile("prices.pdf", PDF), by=alpha.user(), **values)


def _upload(client: Any, item_id: int, name: str, content: bytes, **fields: str) -> Any:
    return client.post(
        f"/api/v1/collateral_items/{item_id}/versions/", {"file": SimpleUploadedFile(name, content), **fields}
    )


def test_an_item_is_created_then_gets_versions_and_downloads_through_rest(alpha: TenantFixture):
    client = api_client(alpha)
    with alpha.active():
        DomainEvent.objects.all().delete()

    created = post(client, "/api/v1/collateral_items/", {"title": " Price deck ", "category": "Pricing",
                                                          "tags": ["Q3", "pricing"]})  # fmt: skip
    pk = created.json()["id"]
    empty_download = client.get(f"/api/v1/collateral_items/{pk}/download/")
    first = _upload(client, pk, "deck.pdf", PDF)
    second = _upload(client, pk, "deck-v2.txt", b"Prices, again", note="Typos fixed")
    changed = patch(client, f"/api/v1/collateral_items/{pk}/", {"description": "For partners", "tags": ["partner"]})
    versions = client.get(f"/api/v1/collateral_items/{pk}/versions/").json()["results"]
    current = client.get(f"/api/v1/collateral_items/{pk}/download/")
    older = client.get(f"/api/v1/collateral_items/{pk}/versions/{first.json()['id']}/download/")

    assert created.status_code == 201, created.content
    assert (created.json()["title"], created.json()["tags"], created.json()["current_version"]) == (
        "Price deck", ["pricing", "q3"], None
    )  # fmt: skip
    assert empty_download.status_code == 404
    assert first.status_code == 201, first.content
    assert (first.json()["number"], first.json()["content_type"]) == (1, "application/pdf")
    assert (second.json()["number"], second.json()["note"]) == (2, "Typos fixed")
    assert changed.json()["current_version"]["id"] == second.json()["id"]
    assert changed.json()["tags"] == ["partner"]
    assert [row["number"] for row in versions] == [2, 1]
    assert versions[0]["download_url"].endswith(
        f"/api/v1/collateral_items/{pk}/versions/{second.json()['id']}/download/"
    )
    assert b"".join(current.streaming_content) == b"Prices, again"
    assert current["Content-Disposition"].startswith("attachment")
    assert current["X-Content-Type-Options"] == "nosniff"
    assert b"".join(older.streaming_content) == PDF
    with alpha.active():
        events = list(DomainEvent.objects.filter(entity="collateral").order_by("id").values_list("type", flat=True))
    assert events == ["collateral.created", "collateral.version_added", "collateral.version_added",
                      "collateral.updated"]  # fmt: skip

    with alpha.active():
        assert not Tag.objects.filter(name__in=["q3", "pricing", "partner"]).exists()  # not the CRM's tags
    deleted = client.delete(f"/api/v1/collateral_items/{pk}/")
    assert deleted.status_code == 204
    with alpha.active():
        assert not CollateralVersion.objects.filter(item_id=pk).exists()
        assert DomainEvent.objects.filter(type="collateral.deleted", record_id=pk).exists()


@pytest.mark.parametrize(
    ("name", "content", "fields"),
    [
        ("broken.pdf", b"not a pdf at all", {}),
        ("empty.txt", b"", {}),
        ("deck.txt", b"fine", {"note": "x" * 501}),
        ("deck.txt", b"fine", {"note": "Nul\x00"}),
    ],
)
def test_a_broken_upload_is_a_400_naming_the_field_and_stores_nothing(
    alpha: TenantFixture, private_root: Path, name: str, content: bytes, fields: dict[str, str]
):
    item = _item(alpha)
    before_files = sorted(private_root.rglob("*.*"))
    before = business_snapshot(alpha)

    response = _upload(api_client(alpha), item.pk, name, content, **fields)

    assert response.status_code == 400, response.content
    assert field_names(response) == ["note" if fields else "file"]
    assert business_snapshot(alpha) == before
    assert sorted(private_root.rglob("*.*")) == before_files


def test_missing_files_and_bad_fields_are_400s_naming_the_field(alpha: TenantFixture):
    item = _item(alpha)
    client = api_client(alpha)
    before = business_snapshot(alpha)
    not_multipart = client.post(f"/api/v1/collateral_items/{item.pk}/versions/", {"file": "text"},
                                content_type="application/json")  # fmt: skip
    no_file = client.post(f"/api/v1/collateral_items/{item.pk}/versions/", {"note": "no file"})
    cases = [
        ({"title": ""}, "title"),
        ({"title": "Nul\x00"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Tags", "tags": [f"t{i}" for i in range(30)]}, "tags"),
        ({"title": "Tags", "tags": "pricing"}, "tags"),
        ({"title": "Tags", "tags": ["x" * 51]}, "tags.0"),
    ]
    for body, field in cases:
        response = post(client, "/api/v1/collateral_items/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())

    assert not_multipart.status_code in (400, 415)
    assert no_file.status_code == 400
    assert field_names(no_file) == ["file"]
    assert business_snapshot(alpha) == before


@override_settings(ATTACHMENT_MAX_BYTES=10)
def test_a_version_over_the_size_limit_is_refused(alpha: TenantFixture):
    with alpha.active():
        item = create_item(title="Small", by=alpha.user())
    response = _upload(api_client(alpha), item.pk, "big.txt", b"x" * 11)
    assert response.status_code == 400
    assert field_names(response) == ["file"]


def test_roles_keys_and_plans_without_marketing_are_refused(alpha: TenantFixture):
    item = _item(alpha)
    version_id = item.current_version_id
    with alpha.active():
        role = Role.objects.create(key="sales_only", name="Sales only", record_visibility="all",
                                   permissions=["contacts.view", "sales.view"])  # fmt: skip
        ensure_user(email="salesonly@example.test", password=PASSWORD, role=role, full_name="Sales Only")
    without_view = api_client(alpha, "salesonly@example.test")
    _key, sales_key = issue_key(alpha, scopes=("sales:read", "sales:write"))
    _key, read_only = issue_key(alpha, scopes=("marketing:read",), name="Reader")
    reader = bearer_client(alpha, read_only)
    before = business_snapshot(alpha)
    paths = [
        "/api/v1/collateral_items/",
        f"/api/v1/collateral_items/{item.pk}/versions/",
        f"/api/v1/collateral_items/{item.pk}/download/",
        f"/api/v1/collateral_items/{item.pk}/versions/{version_id}/download/",
    ]

    for path in paths:
        assert without_view.get(path).status_code == 403, path
        assert bearer_client(alpha, sales_key).get(path).status_code == 403, path
        assert reader.get(path).status_code == 200, path
    refused = reader.post(f"/api/v1/collateral_items/{item.pk}/versions/", {"file": SimpleUploadedFile("a.txt", b"a")})
    assert refused.status_code == 403
    assert "marketing:write" in refused.json()["detail"]
    assert reader.patch(f"/api/v1/collateral_items/{item.pk}/", {"title": "X"},
                        content_type="application/json").status_code == 403  # fmt: skip
    assert reader.delete(f"/api/v1/collateral_items/{item.pk}/").status_code == 403
    mutation = (
        f'mutation {{ collateralItemDelete(id: "{to_global_id("CollateralItem", item.pk)}") {{ errors {{ code }} }} }}'
    )
    assert post_graphql(reader, mutation).json()["data"]["collateralItemDelete"]["errors"] == [
        {"code": "PERMISSION_DENIED"}
    ]
    assert business_snapshot(alpha) == before

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "marketing"]
    alpha.tenant.save()
    for path in paths:
        response = api_client(alpha).get(path)
        assert response.status_code == 403, path
        assert response.json()["type"].endswith("module-not-in-plan")
    query = "{ collateralItems(first: 5) { edges { node { title } } } }"
    assert post_graphql(alpha.client(), query).json()["errors"][0]["extensions"]["code"] == "MODULE_NOT_IN_PLAN"


def test_items_and_versions_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    item = _item(alpha)
    version_id = item.current_version_id
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/collateral_items/{item.pk}/", {}),
        ("patch", f"/api/v1/collateral_items/{item.pk}/", {"title": "stolen"}),
        ("delete", f"/api/v1/collateral_items/{item.pk}/", {}),
        ("get", f"/api/v1/collateral_items/{item.pk}/versions/", {}),
        ("get", f"/api/v1/collateral_items/{item.pk}/download/", {}),
        ("get", f"/api/v1/collateral_items/{item.pk}/versions/{version_id}/download/", {}),
    ])  # fmt: skip
    stolen = beta.client().post(
        f"/api/v1/collateral_items/{item.pk}/versions/", {"file": SimpleUploadedFile("x.txt", b"x")}
    )
    assert stolen.status_code == 404
    with alpha.active():
        assert CollateralVersion.objects.filter(item=item).count() == 1
    node = f'{{ node(id: "{to_global_id("CollateralItem", item.pk)}") {{ id }} }}'
    assert post_graphql(beta.client(), node).json()["data"]["node"] is None


def test_graphql_reads_items_with_versions_and_writes_their_fields(alpha: TenantFixture):
    item = _item(alpha, category="Pricing")
    with alpha.active():
        add_version(item, upload=SimpleUploadedFile("prices-v2.txt", b"v2"), by=alpha.user(), note="New prices")
    client = alpha.client()
    item_id = to_global_id("CollateralItem", item.pk)

    created = post_graphql(
        client,
        'mutation { collateralItemCreate(input: {title: "Case study", tags: ["Retail"]}) '
        "{ item { title tags currentVersion { number } } errors { field } } }",
    ).json()["data"]["collateralItemCreate"]
    updated = post_graphql(
        client,
        f'mutation {{ collateralItemUpdate(id: "{item_id}", input: {{description: "2025 prices"}}) '
        "{ item { description } errors { field } } }",
    ).json()["data"]["collateralItemUpdate"]
    wrong = post_graphql(
        client,
        f'mutation {{ collateralItemUpdate(id: "{item_id}", input: {{title: ""}}) {{ errors {{ field code }} }} }}',
    ).json()["data"]["collateralItemUpdate"]
    listed = post_graphql(
        client,
        '{ collateralItems(first: 5, category: "pricing") { edges { node { title currentVersion { number } '
        "versions { number filename note downloadUrl uploadedBy { email } } } } } }",
    ).json()["data"]["collateralItems"]["edges"]

    assert created == {"item": {"title": "Case study", "tags": ["retail"], "currentVersion": None}, "errors": []}
    assert updated == {"item": {"description": "2025 prices"}, "errors": []}
    assert wrong["errors"][0]["field"] == "title"
    (node,) = [edge["node"] for edge in listed]
    assert node["currentVersion"] == {"number": 2}
    assert [(v["number"], v["filename"], v["note"]) for v in node["versions"]] == [
        (2, "prices-v2.txt", "New prices"), (1, "prices.pdf", "")
    ]  # fmt: skip
    assert node["versions"][0]["downloadUrl"].endswith("/download/")
    assert node["versions"][0]["uploadedBy"] == {"email": alpha.user().email}


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    item = _item(alpha, title="Many versions")
    for number in range(4):
        _item(alpha, title=f"Few {number}")
    client = api_client(alpha)
    graphql = (
        "{ collateralItems(first: 100) { edges { node { title createdBy { email } currentVersion { filename } "
        "versions { number uploadedBy { email } } } } } }"
    )
    few, _response = queries_for(client, "/api/v1/collateral_items/?page_size=100")
    few_versions, _response = queries_for(client, f"/api/v1/collateral_items/{item.pk}/versions/?page_size=100")
    few_graphql = _graphql_queries(alpha, graphql)
    with alpha.active():
        for number in range(45):
            add_version(item, upload=SimpleUploadedFile(f"v{number}.txt", b"v"), by=alpha.user())
    for number in range(45):
        _item(alpha, title=f"Many {number}")
    many, response = queries_for(client, "/api/v1/collateral_items/?page_size=100")
    many_versions, versions = queries_for(client, f"/api/v1/collateral_items/{item.pk}/versions/?page_size=100")

    assert len(response.json()["results"]) == 50
    assert len(versions.json()["results"]) == 46
    assert many == few
    assert many_versions == few_versions
    assert _graphql_queries(alpha, graphql) == few_graphql


def _graphql_queries(alpha: TenantFixture, query: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = alpha.client()
    with CaptureQueriesContext(connection) as captured:
        response = post_graphql(client, query)
    assert "errors" not in response.json(), response.json()
    return len(captured.captured_queries)


def business_snapshot(alpha: TenantFixture) -> dict[str, str]:
    """The tenant's tables but the identity ones (signing in and key use stamp their rows)."""
    return {
        table: digest for table, digest in _schema_snapshot(alpha.tenant).items() if not table.startswith("identity_")
    }


def test_items_are_archived_restored_and_filtered_by_tag_and_state_through_both_protocols(alpha: TenantFixture):
    deck = _item(alpha, "Deck", tags=["pricing", "q3"])
    _item(alpha, "Sheet", tags=["pricing"])
    _item(alpha, "Story", tags=["retail"])
    client = api_client(alpha)
    with alpha.active():
        DomainEvent.objects.all().delete()

    archived = post(client, f"/api/v1/collateral_items/{deck.pk}/archive/", {"archived": True})
    live = client.get("/api/v1/collateral_items/", {"live": "true", "tag": "PRICING"}).json()["results"]
    gone = client.get("/api/v1/collateral_items/", {"live": "false"}).json()["results"]
    tagged_q3 = client.get("/api/v1/collateral_items/", {"tag": "q3"}).json()["results"]
    graphql = post_graphql(
        alpha.client(), '{ collateralItems(first: 5, tag: "pricing", live: false) { edges { node { title } } } }'
    ).json()["data"]["collateralItems"]["edges"]
    restored = post_graphql(
        alpha.client(),
        f'mutation {{ collateralItemArchive(id: "{to_global_id("CollateralItem", deck.pk)}", archived: false) '
        "{ item { title archivedAt } errors { field } } }",
    ).json()["data"]["collateralItemArchive"]
    missing = post(client, f"/api/v1/collateral_items/{deck.pk}/archive/", {})

    assert archived.status_code == 200, archived.content
    assert archived.json()["archived_at"] is not None
    assert [row["title"] for row in live] == ["Sheet"]
    assert [row["title"] for row in gone] == ["Deck"]
    assert [row["title"] for row in tagged_q3] == ["Deck"]
    assert [edge["node"]["title"] for edge in graphql] == ["Deck"]
    assert restored == {"item": {"title": "Deck", "archivedAt": None}, "errors": []}
    assert missing.status_code == 400
    assert field_names(missing) == ["archived"]
    with alpha.active():
        assert list(DomainEvent.objects.order_by("id").values_list("type", flat=True)) == [
            "collateral.archived", "collateral.restored"
        ]  # fmt: skip


def test_archiving_needs_the_write_scope_and_the_change_permission_and_stays_in_its_tenant(
    alpha: TenantFixture, beta: TenantFixture
):
    item = _item(alpha)
    with alpha.active():
        role = Role.objects.create(key="mk_viewer", name="Marketing viewer", record_visibility="all",
                                   permissions=["contacts.view", "marketing.view"])  # fmt: skip
        ensure_user(email="mkviewer@example.test", password=PASSWORD, role=role, full_name="Marketing Viewer")
    _key, read_only = issue_key(alpha, scopes=("marketing:read",), name="Reader")
    path = f"/api/v1/collateral_items/{item.pk}/archive/"

    by_key = bearer_client(alpha, read_only).post(path, {"archived": True}, content_type="application/json")
    by_viewer = api_client(alpha, "mkviewer@example.test").post(
        path, {"archived": True}, content_type="application/json"
    )
    mutation = (
        f'mutation {{ collateralItemArchive(id: "{to_global_id("CollateralItem", item.pk)}", archived: true) '
        "{ errors { code } } }"
    )
    by_graphql_key = post_graphql(bearer_client(alpha, read_only), mutation).json()["data"]["collateralItemArchive"]
    assert_rest_requests_fail_across_tenants(alpha, beta, [("post", path, {"archived": True})])

    assert by_key.status_code == 403
    assert "marketing:write" in by_key.json()["detail"]
    assert by_viewer.status_code == 403
    assert by_graphql_key["errors"] == [{"code": "PERMISSION_DENIED"}]
    with alpha.active():
        assert CollateralItem.objects.get(pk=item.pk).archived_at is None
