"""Full-text search in the article's language, the trigram fallback, snippets and visibility."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.selectors.portal import public_article, public_articles, search_public_articles
from modules.service.knowledge.selectors.search import search_articles, suggested_articles
from tests.service.knowledge.conftest import make_article
from tests.tenancy import TenantFixture


def found(q: str, **kwargs) -> list[str]:
    return [hit.article.title for hit in search_articles(q, public_only=kwargs.pop("public_only", False), **kwargs)]


def test_french_words_are_found_in_their_other_forms(alpha: TenantFixture) -> None:
    make_article(alpha, "Payer les factures en ligne", "<div>Les factures sont envoyées chaque mois.</div>",
                 language="fr")  # fmt: skip
    make_article(alpha, "Changer d'adresse", "<div>Votre adresse de livraison.</div>", language="fr")
    with alpha.active():
        assert found("facture") == ["Payer les factures en ligne"]
        assert found("envoyée", language="fr") == ["Payer les factures en ligne"]


def test_german_words_are_stemmed(alpha: TenantFixture) -> None:
    make_article(alpha, "Rechnungen herunterladen", "<div>Alle Rechnungen finden Sie im Kundenkonto.</div>",
                 language="de")  # fmt: skip
    with alpha.active():
        assert found("Rechnung") == ["Rechnungen herunterladen"]
        assert found("Rechnung", language="de") == ["Rechnungen herunterladen"]
        # The English configuration does not know German endings: the same word in an English
        # article is matched as written only.
        assert found("Rechnung", language="en") == []


def test_serbian_latin_is_stemmed(alpha: TenantFixture) -> None:
    make_article(alpha, "Plaćanje računa", "<div>Svi računi stižu e-poštom.</div>", language="sr-latn")
    with alpha.active():
        assert found("račun") == ["Plaćanje računa"]


def test_polish_falls_back_to_simple_words_and_trigrams(alpha: TenantFixture) -> None:
    article = make_article(alpha, "Jak zapłacić fakturę", "<div>Faktura przychodzi e-mailem.</div>", language="pl")
    with alpha.active():
        assert article.search_config == "simple"
        assert found("faktura") == ["Jak zapłacić fakturę"]  # the word as written, in the text
        hits = search_articles("faktury", public_only=False)  # another form: only the title is similar
        assert [hit.article.pk for hit in hits] == [article.pk]
        assert hits[0].similar_only


def test_misspelt_words_find_the_title(alpha: TenantFixture) -> None:
    make_article(alpha, "How to reset your password")
    make_article(alpha, "Shipping times", "<div>Parcels leave within two days.</div>")
    with alpha.active():
        assert found("pasword reset") == ["How to reset your password"]
        assert found("shiping") == ["Shipping times"]
        assert found("zebra") == []


def test_title_matches_rank_above_text_matches_and_snippets_mark_the_words(alpha: TenantFixture) -> None:
    make_article(alpha, "Returns", "<div>Refunds for a <b>damaged</b> parcel go to the original card.</div>")
    make_article(alpha, "Refunds", "<div>How long it takes.</div>")
    with alpha.active():
        hits = search_articles("refunds", public_only=False)
        assert [hit.article.title for hit in hits] == ["Refunds", "Returns"]
        assert "<mark>Refunds</mark> for a damaged parcel" in hits[1].snippet


def test_a_snippet_escapes_the_text_around_the_marks(alpha: TenantFixture) -> None:
    make_article(
        alpha, "Markup", "<div>Type &lt;script&gt;alert(1)&lt;/script&gt; to see fees &amp; the invoice.</div>"
    )
    with alpha.active():
        (hit,) = search_articles("invoice", public_only=False)
        assert "<script>" not in hit.snippet
        assert "fees &amp; the <mark>invoice</mark>" in hit.snippet


def test_drafts_archived_and_unpublished_changes_are_not_found(alpha: TenantFixture) -> None:
    from modules.service.knowledge.services.articles import archive_article, update_article

    make_article(alpha, "Draft about invoices", published=False)
    archived = make_article(alpha, "Archived invoices guide")
    live = make_article(alpha, "Invoices explained")
    with alpha.active():
        archive_article(archived, by=alpha.user())
        update_article(live, by=alpha.user(), draft_title="Invoices explained, with secret pricing")
        assert found("invoices") == ["Invoices explained"]
        assert found("secret pricing") == []


def test_internal_articles_are_never_public(alpha: TenantFixture) -> None:
    internal = make_article(alpha, "Refund approval limits", visibility=Visibility.INTERNAL)
    public = make_article(alpha, "Refund policy", visibility=Visibility.PUBLIC)
    make_article(alpha, "Refund draft", visibility=Visibility.PUBLIC, published=False)
    with alpha.active():
        assert sorted(found("refund")) == ["Refund approval limits", "Refund policy"]
        assert [hit.article.pk for hit in search_public_articles("refund")] == [public.pk]
        assert [hit.article.pk for hit in search_public_articles("refnd")] == [public.pk]  # the fallback too
        assert list(public_articles()) == [public]
        assert public_article(internal.pk) is None
        assert public_article(public.pk) == public
        assert public_articles("fr").count() == 0


def test_suggestions_take_any_word_of_a_case_subject(alpha: TenantFixture) -> None:
    make_article(alpha, "Printer offline", "<div>Restart the printer and check the cable.</div>")
    make_article(alpha, "Invoices", "<div>Monthly.</div>")
    with alpha.active():
        hits = suggested_articles("My printer does not print since Monday")
        assert [hit.article.title for hit in hits] == ["Printer offline"]


@pytest.mark.parametrize("q", ["bad\x00query", "x" * 201])
def test_bad_queries_name_the_field(alpha: TenantFixture, q: str) -> None:
    with alpha.active(), pytest.raises(ValidationError) as raised:
        search_articles(q, public_only=False)
    assert list(raised.value.message_dict) == ["q"]


def test_an_empty_query_finds_nothing(alpha: TenantFixture) -> None:
    make_article(alpha)
    with alpha.active():
        assert search_articles("   ", public_only=False) == []
