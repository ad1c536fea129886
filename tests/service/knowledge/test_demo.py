"""The demo knowledge base: a dozen published articles in two languages, public and internal."""

from __future__ import annotations

from modules.service.knowledge.demo import load_knowledge_demo
from modules.service.knowledge.models import Article
from modules.service.knowledge.selectors.portal import public_articles, search_public_articles
from tests.tenancy import TenantFixture


def test_the_demo_articles_are_published_in_english_and_french(alpha: TenantFixture) -> None:
    with alpha.active():
        made = load_knowledge_demo()
        assert len(made) == 14
        assert set(Article.objects.values_list("language", flat=True)) == {"en", "fr"}
        assert set(Article.objects.values_list("visibility", flat=True)) == {"internal", "public"}
        assert not Article.objects.exclude(status="published").exists()
        assert public_articles("fr").count() == 5
        found = {hit.article.title for hit in search_public_articles("facture", language="fr")}
        assert found == {"Comment payer une facture", "Télécharger vos factures"}
        assert search_public_articles("refund approval") == []  # internal: never public
        assert load_knowledge_demo() == []
