"""Articles over REST and GraphQL: writing drafts, publishing, readers' view, bad input, permissions,
scopes, tenant isolation and query counts."""

from __future__ import annotations

from graphql_relay import to_global_id

from modules.service.knowledge.models import Article, ArticleVersion
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
from tests.service.knowledge.conftest import make_article
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke


def test_an_article_is_written_published_and_archived_over_rest(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    created = post(client, "/api/v1/articles/", {
        "draft_title": "Printer jams", "draft_body": "<div>Open the tray<script>x()</script></div>", "language": "en",
        "visibility": "public",
    })  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["title"], body["draft_title"]) == ("draft", "", "Printer jams")
    assert "<script>" not in body["draft_body"]
    published = post(client, f"/api/v1/articles/{body['id']}/publish/")
    assert published.status_code == 200
    assert (published.json()["status"], published.json()["title"]) == ("published", "Printer jams")
    changed = patch(client, f"/api/v1/articles/{body['id']}/", {"draft_title": "Printer paper jams"})
    assert changed.json()["title"] == "Printer jams"  # readers keep the published title
    archived = post(client, f"/api/v1/articles/{body['id']}/archive/")
    assert archived.json()["status"] == "archived"
    with alpha.active():
        assert ArticleVersion.objects.filter(article_id=body["id"]).count() == 1


def test_bad_input_names_the_field(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    for data, field in (
        ({"draft_title": "Bad\x00", "language": "en"}, "draft_title"),
        ({"draft_title": "x" * 301, "language": "en"}, "draft_title"),
        ({"draft_title": "Fine", "language": "xx"}, "language"),
        ({"draft_title": "Fine", "language": "en", "draft_body": "\x00"}, "draft_body"),
        ({"draft_title": "Fine", "language": "en", "category": 999999}, "category"),
    ):
        answer = post(client, "/api/v1/articles/", data)
        assert answer.status_code == 400, field
        assert field_names(answer) == [field]
    with alpha.active():
        assert not Article.objects.exists()


def test_readers_without_change_see_published_articles_only(alpha: TenantFixture) -> None:
    published = make_article(alpha, "Published")
    make_article(alpha, "Draft", published=False)
    grant(alpha, "sales_rep", "service.view")
    revoke(alpha, "sales_rep", "service.change")
    reader = api_client(alpha, REP_EMAIL)
    rows = reader.get("/api/v1/articles/").json()["results"]
    assert [row["id"] for row in rows] == [published.pk]
    refused = post(reader, f"/api/v1/articles/{published.pk}/archive/")
    assert refused.status_code == 403
    body = post_graphql(reader, "{ articles(first: 10) { edges { node { title } } } }").json()
    assert [edge["node"]["title"] for edge in body["data"]["articles"]["edges"]] == ["Published"]


def test_publishing_needs_the_permission(alpha: TenantFixture) -> None:
    article = make_article(alpha, "Draft", published=False)
    grant(alpha, "sales_rep", "service.view", "service.change")
    writer = api_client(alpha, REP_EMAIL)
    assert post(writer, f"/api/v1/articles/{article.pk}/publish/").status_code == 403
    mutation = "mutation($id: ID!) { articlePublish(id: $id) { errors { code } article { status } } }"
    body = post_graphql(writer, mutation, {"id": to_global_id("Article", article.pk)}).json()
    assert body["data"]["articlePublish"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    with alpha.active():
        assert Article.objects.get(pk=article.pk).status == "draft"


def test_graphql_creates_and_publishes_a_translation(alpha: TenantFixture) -> None:
    source = make_article(alpha, "Returns")
    client = alpha.client()
    create = """mutation($source: ID!) { articleCreate(translationOf: $source,
        input: {draftTitle: "Retours", language: "fr", visibility: PUBLIC}) {
        errors { field message } article { id translationGroup } } }"""
    body = post_graphql(client, create, {"source": to_global_id("Article", source.pk)}).json()
    payload = body["data"]["articleCreate"]
    assert payload["errors"] == []
    assert payload["article"]["translationGroup"] == str(source.translation_group)
    publish = "mutation($id: ID!) { articlePublish(id: $id) { errors { field } article { title status } } }"
    published = post_graphql(client, publish, {"id": payload["article"]["id"]}).json()["data"]["articlePublish"]
    assert published == {"errors": [], "article": {"title": "Retours", "status": "PUBLISHED"}}
    again = post_graphql(client, create, {"source": to_global_id("Article", source.pk)}).json()
    assert again["data"]["articleCreate"]["errors"][0]["field"] == "language"


def test_an_api_key_needs_the_service_scope(alpha: TenantFixture) -> None:
    make_article(alpha)
    _key, token = issue_key(alpha)  # contacts scopes only
    assert bearer_client(alpha, token).get("/api/v1/articles/").status_code == 403
    _key, token = issue_key(alpha, scopes=("service:read",), name="Articles")
    reader = bearer_client(alpha, token)
    assert reader.get("/api/v1/articles/").status_code == 200
    assert post(reader, "/api/v1/articles/", {"draft_title": "No", "language": "en"}).status_code == 403


def test_another_tenant_reaches_no_article(alpha: TenantFixture, beta: TenantFixture) -> None:
    article = make_article(alpha, "Alpha only")
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/articles/{article.pk}/", {}),
        ("patch", f"/api/v1/articles/{article.pk}/", {"draft_title": "Taken"}),
        ("post", f"/api/v1/articles/{article.pk}/publish/", {}),
        ("post", f"/api/v1/articles/{article.pk}/archive/", {}),
        ("delete", f"/api/v1/articles/{article.pk}/", {}),
    ])  # fmt: skip
    body = post_graphql(beta.client(), "query($id: ID!) { node(id: $id) { id } }",
                        {"id": to_global_id("Article", article.pk)}).json()  # fmt: skip
    assert body["data"]["node"] is None


def test_the_list_costs_the_same_queries_for_3_and_30_articles(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    for n in range(3):
        make_article(alpha, f"Article {n}")
    few, _response = queries_for(client, "/api/v1/articles/?page_size=50")
    for n in range(3, 30):
        make_article(alpha, f"Article {n}")
    many, response = queries_for(client, "/api/v1/articles/?page_size=50")
    assert len(response.json()["results"]) == 30
    assert many == few
