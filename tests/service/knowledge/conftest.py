"""Knowledge-base test helpers: articles made and published through the service."""

from __future__ import annotations

from typing import Any

from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.models import Article
from modules.service.knowledge.services.articles import create_article, publish_article
from tests.tenancy import TenantFixture


def make_article(
    alpha: TenantFixture,
    title: str = "How to reset your password",
    body: str = "<div>Open the sign-in page and choose “Forgot password”.</div>",
    *,
    language: str = "en",
    visibility: str = Visibility.PUBLIC,
    published: bool = True,
    **values: Any,
) -> Article:
    """An article of ``alpha`` written (and published unless told) by its admin."""
    with alpha.active():
        by = alpha.user()
        article = create_article(
            by=by, draft_title=title, draft_body=body, language=language, visibility=visibility, **values
        )
        if published:
            publish_article(article, by=by)
        return Article.objects.get(pk=article.pk)
