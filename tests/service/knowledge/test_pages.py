"""The knowledge-base pages: reading, searching, rating, writing, publishing, versions,
translations and categories, with their permissions, plan gate and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.models import Article, ArticleRating, ArticleVersion, KnowledgeCategory
from modules.service.knowledge.services.articles import publish_article, update_article
from modules.service.knowledge.services.categories import create_category
from tests.entitlements.helpers import without_modules
from tests.service.knowledge.conftest import make_article
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke

BASE = "/service/knowledge/"


def agent(alpha: TenantFixture, *codes: str) -> Any:
    """The rep given the service permissions ``codes`` (the rep has none of the service module's)."""
    grant(alpha, "sales_rep", *codes)
    return alpha.client(REP_EMAIL)


def test_home_lists_categories_recent_articles_and_searches(alpha: TenantFixture) -> None:
    with alpha.active():
        billing = create_category(by=None, name="Billing")
    make_article(alpha, "Paying invoices", category=billing)
    make_article(alpha, "Unpublished invoices", published=False)
    client = alpha.client()
    page = client.get(BASE)
    assert page.status_code == 200
    assert "Paying invoices" in page.text
    assert "Billing" in page.text
    found = client.get(BASE, {"q": "invoice"})
    assert found.status_code == 200
    assert "<mark>" in found.text or "Paying invoices" in found.text
    assert "1 article found" in found.text


@pytest.mark.parametrize("q", ["bad\x00q", "x" * 201])
def test_a_search_that_cannot_run_names_the_field(alpha: TenantFixture, q: str) -> None:
    answer = alpha.client().get(BASE, {"q": q})
    assert answer.status_code == 400
    assert 'id="id_q-errors"' in answer.text


def test_the_home_page_costs_the_same_queries_for_3_and_30_articles(alpha: TenantFixture) -> None:
    client = alpha.client()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE).status_code == 200
        return len(queries)

    with alpha.active():
        categories = [create_category(by=None, name=f"Category {n}") for n in range(3)]
    for n in range(3):
        make_article(alpha, f"Article {n}", category=categories[n % 3])
        make_article(alpha, f"Draft {n}", published=False)
    few = count()
    for n in range(3, 30):
        make_article(alpha, f"Article {n}", category=categories[n % 3])
        make_article(alpha, f"Draft {n}", published=False)
    assert count() == few


def test_the_search_costs_no_more_queries_for_20_hits_than_for_3(alpha: TenantFixture) -> None:
    client = alpha.client()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE, {"q": "printer"}).status_code == 200
        return len(queries)

    for n in range(3):
        make_article(alpha, f"Printer {n}")
    few = count()
    for n in range(3, 20):
        make_article(alpha, f"Printer {n}")
    # Never more with more hits: a page the words fill skips the titles' similarity query.
    many = count()
    assert many <= few <= many + 1


def test_reading_an_article_counts_a_view_and_rating_twice_keeps_one_rating(alpha: TenantFixture) -> None:
    article = make_article(alpha)
    client = alpha.client()
    assert client.get(f"{BASE}articles/{article.pk}/").status_code == 200
    assert client.get(f"{BASE}articles/{article.pk}/").status_code == 200
    assert client.post(f"{BASE}articles/{article.pk}/rate/", {"helpful": "yes"}).status_code == 302
    assert client.post(f"{BASE}articles/{article.pk}/rate/", {"helpful": "no"}).status_code == 302
    with alpha.active():
        assert Article.objects.get(pk=article.pk).view_count == 2
        assert list(ArticleRating.objects.filter(article=article).values_list("helpful", flat=True)) == [False]
    page = client.get(f"{BASE}articles/{article.pk}/")
    assert "0 found it helpful, 1 did not." in page.text


def test_a_rating_must_say_yes_or_no(alpha: TenantFixture) -> None:
    article = make_article(alpha)
    answer = alpha.client().post(f"{BASE}articles/{article.pk}/rate/", {"helpful": "maybe"})
    assert answer.status_code == 400
    assert "helpful" in answer.text
    with alpha.active():
        assert not ArticleRating.objects.exists()


def test_drafts_are_hidden_from_readers_who_do_not_write(alpha: TenantFixture) -> None:
    draft = make_article(alpha, "Draft pricing", published=False)
    reader = agent(alpha, "service.view")
    revoke(alpha, "sales_rep", "service.change")
    assert reader.get(f"{BASE}articles/{draft.pk}/").status_code == 404
    assert reader.post(f"{BASE}articles/{draft.pk}/rate/", {"helpful": "yes"}).status_code == 404
    assert alpha.client().get(f"{BASE}articles/{draft.pk}/").status_code == 200  # its writers see it


def test_a_writer_saves_a_draft_and_a_publisher_publishes_it(alpha: TenantFixture) -> None:
    writer = agent(alpha, "service.view", "service.change")
    answer = writer.post(
        f"{BASE}articles/new/",
        {"draft_title": "Printer jams", "draft_body": "<div>Open the tray.<script>x()</script></div>", "language": "en",
         "visibility": "public", "action": "save"},
    )  # fmt: skip
    assert answer.status_code == 302
    with alpha.active():
        article = Article.objects.get(draft_title="Printer jams")
        assert article.status == ArticleStatus.DRAFT
        assert "<script>" not in article.draft_body
    # Publishing needs the permission: the writer's attempt writes nothing.
    edit = {"draft_title": "Printer jams", "language": "en", "visibility": "public", "action": "publish"}
    refused = writer.post(f"{BASE}articles/{article.pk}/edit/", edit)
    assert refused.status_code == 403
    refused_status = writer.post(f"{BASE}articles/{article.pk}/status/", {"status": "published"})
    assert refused_status.status_code == 403
    with alpha.active():
        assert Article.objects.get(pk=article.pk).status == ArticleStatus.DRAFT
    grant(alpha, "sales_rep", "service.publish_articles")
    published = writer.post(f"{BASE}articles/{article.pk}/status/", {"status": "published"})
    assert published.status_code == 302
    with alpha.active():
        article = Article.objects.get(pk=article.pk)
        assert article.status == ArticleStatus.PUBLISHED
        assert article.title == "Printer jams"
        assert article.versions.get().author.email == REP_EMAIL


def test_the_editor_names_the_bad_field(alpha: TenantFixture) -> None:
    client = alpha.client()
    for data, field in (
        ({"draft_title": "Bad\x00title", "language": "en", "visibility": "public"}, "draft_title"),
        ({"draft_title": "x" * 301, "language": "en", "visibility": "public"}, "draft_title"),
        (
            {"draft_title": "Fine", "draft_body": "<div>\x00</div>", "language": "en", "visibility": "public"},
            "draft_body",
        ),
        ({"draft_title": "Fine", "draft_body": "x" * 200_001, "language": "en", "visibility": "public"}, "draft_body"),
        ({"draft_title": "Fine", "language": "xx", "visibility": "public"}, "language"),
        ({"draft_title": "Fine", "language": "en", "visibility": "secret"}, "visibility"),
    ):
        answer = client.post(f"{BASE}articles/new/", {**data, "action": "save"})
        assert answer.status_code == 400, field
        assert f'id="id_{field}-errors"' in answer.text, field
    with alpha.active():
        assert not Article.objects.exists()


def test_versions_are_kept_and_one_is_restored_as_the_draft(alpha: TenantFixture) -> None:
    article = make_article(alpha, "First title")
    with alpha.active():
        update_article(article, by=alpha.user(), draft_title="Second title")
        publish_article(article, by=alpha.user())
        first = ArticleVersion.objects.get(article=article, number=1)
    client = alpha.client()
    page = client.get(f"{BASE}articles/{article.pk}/versions/")
    assert page.status_code == 200
    assert "First title" in page.text
    assert "Second title" in page.text
    assert client.post(f"{BASE}articles/{article.pk}/versions/{first.pk}/restore/").status_code == 302
    with alpha.active():
        article = Article.objects.get(pk=article.pk)
        assert (article.title, article.draft_title) == ("Second title", "First title")


def test_a_version_of_another_article_is_not_restored_through_this_one(alpha: TenantFixture) -> None:
    one, other = make_article(alpha, "One"), make_article(alpha, "Other")
    with alpha.active():
        version = ArticleVersion.objects.get(article=other)
    assert alpha.client().post(f"{BASE}articles/{one.pk}/versions/{version.pk}/restore/").status_code == 404


def test_translations_share_a_group_and_one_language_each(alpha: TenantFixture) -> None:
    article = make_article(alpha, "Returns policy")
    client = alpha.client()
    form = client.get(f"{BASE}articles/new/", {"translation_of": article.pk, "language": "fr"})
    assert form.status_code == 200
    saved = client.post(
        f"{BASE}articles/new/?translation_of={article.pk}",
        {"draft_title": "Politique de retour", "language": "fr", "visibility": "public", "action": "publish"},
    )
    assert saved.status_code == 302
    again = client.post(
        f"{BASE}articles/new/?translation_of={article.pk}",
        {"draft_title": "Encore", "language": "fr", "visibility": "public", "action": "save"},
    )
    assert again.status_code == 400
    assert 'id="id_language-errors"' in again.text
    page = client.get(f"{BASE}articles/{article.pk}/translations/")
    assert "Politique de retour" in page.text
    with alpha.active():
        french = Article.objects.get(language="fr")
        assert french.translation_group == article.translation_group
        assert french.search_config == "french"
    assert client.get(f"{BASE}articles/new/", {"translation_of": "x"}).status_code == 400


def test_categories_are_managed_by_service_admins(alpha: TenantFixture) -> None:
    client = alpha.client()
    assert client.post(f"{BASE}categories/", {"name": "Billing"}).status_code == 302
    assert client.post(f"{BASE}categories/", {"name": "Billing"}).status_code == 400  # the same name twice
    with alpha.active():
        billing = KnowledgeCategory.objects.get(name="Billing")
    assert client.post(f"{BASE}categories/{billing.pk}/edit/", {"name": "Billing and payments"}).status_code == 302
    bad = client.post(f"{BASE}categories/{billing.pk}/edit/", {"name": "Bad\x00name"})
    assert bad.status_code == 400
    assert 'id="id_name-errors"' in bad.text
    writer = agent(alpha, "service.view", "service.change")
    assert writer.get(f"{BASE}categories/").status_code == 403
    assert writer.post(f"{BASE}categories/{billing.pk}/delete/").status_code == 403
    assert client.post(f"{BASE}categories/{billing.pk}/delete/").status_code == 302
    with alpha.active():
        assert not KnowledgeCategory.objects.exists()


def test_suggestions_answer_json_and_keep_to_public_articles_when_asked(alpha: TenantFixture) -> None:
    make_article(alpha, "Printer offline", visibility=Visibility.PUBLIC)
    make_article(alpha, "Printer warranty limits", visibility=Visibility.INTERNAL)
    client = alpha.client()
    every = client.get(f"{BASE}suggestions/", {"text": "my printer is broken"}).json()["results"]
    assert {row["title"] for row in every} == {"Printer offline", "Printer warranty limits"}
    public = client.get(f"{BASE}suggestions/", {"text": "my printer is broken", "public": "1"}).json()["results"]
    assert [row["title"] for row in public] == ["Printer offline"]
    bad = client.get(f"{BASE}suggestions/", {"text": "bad\x00"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["text"]
    huge = client.get(f"{BASE}suggestions/", {"text": "x" * 5000})
    assert huge.status_code == 400
    assert list(huge.json()["errors"]) == ["text"]


def page_requests(article: Article, category: KnowledgeCategory) -> list[tuple[str, str, dict[str, object]]]:
    version = ArticleVersion.objects.filter(article=article).first()
    assert version is not None
    pk = article.pk
    return [
        ("get", f"{BASE}articles/{pk}/", {}),
        ("post", f"{BASE}articles/{pk}/rate/", {"helpful": "yes"}),
        ("get", f"{BASE}articles/{pk}/edit/", {}),
        ("post", f"{BASE}articles/{pk}/edit/", {"draft_title": "Taken", "language": "en", "visibility": "public"}),
        ("post", f"{BASE}articles/{pk}/status/", {"status": "archived"}),
        ("get", f"{BASE}articles/{pk}/versions/", {}),
        ("post", f"{BASE}articles/{pk}/versions/{version.pk}/restore/", {}),
        ("get", f"{BASE}articles/{pk}/translations/", {}),
        ("get", f"{BASE}articles/new/?translation_of={pk}", {}),
        ("get", f"{BASE}categories/{category.pk}/edit/", {}),
        ("post", f"{BASE}categories/{category.pk}/edit/", {"name": "Taken"}),
        ("post", f"{BASE}categories/{category.pk}/delete/", {}),
    ]


def test_another_tenant_reaches_none_of_the_articles(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        category = create_category(by=None, name="Alpha only")
    article = make_article(alpha, "Alpha secret", category=category)
    with alpha.active():
        requests = page_requests(article, category)
    assert_cross_tenant_requests_fail(alpha, beta, requests)
    with beta.active():
        found = beta.client().get(f"{BASE}suggestions/", {"text": "alpha secret"}).json()["results"]
    assert found == []


def test_every_page_needs_its_permission(alpha: TenantFixture) -> None:
    with alpha.active():
        category = create_category(by=None, name="Rules")
    article = make_article(alpha, "Rules", category=category)
    with alpha.active():
        requests = page_requests(article, category)
    rep = alpha.client(REP_EMAIL)  # no service permission at all
    for method, path, data in [*requests, ("get", BASE, {}), ("get", f"{BASE}suggestions/", {}),
                               ("get", f"{BASE}categories/", {}), ("get", f"{BASE}articles/new/", {})]:  # fmt: skip
        assert getattr(rep, method)(path, data).status_code == 403, path
    reader = agent(alpha, "service.view")
    for path in (
        f"{BASE}articles/{article.pk}/edit/",
        f"{BASE}articles/new/",
        f"{BASE}articles/{article.pk}/versions/",
    ):
        assert reader.get(path).status_code == 403, path
    assert reader.get(f"{BASE}articles/{article.pk}/").status_code == 200
    with alpha.active():
        assert Article.objects.get(pk=article.pk).status == ArticleStatus.PUBLISHED


def test_without_the_service_module_every_page_is_not_in_the_plan(alpha: TenantFixture) -> None:
    with alpha.active():
        category = create_category(by=None, name="Plan")
    article = make_article(alpha, "Plan", category=category)
    with alpha.active():
        requests = page_requests(article, category)
    without_modules(alpha, "service")
    client = alpha.client()
    for method, path, data in [*requests, ("get", BASE, {}), ("get", f"{BASE}suggestions/", {"text": "plan"})]:
        answer = getattr(client, method)(path, data)
        assert answer.status_code == 403, path
        assert "Service is not in your plan" in answer.text, path
    with alpha.active():
        assert Article.objects.get(pk=article.pk).status == ArticleStatus.PUBLISHED
        assert not ArticleRating.objects.exists()
