"""Finding articles: PostgreSQL full-text search in each article's language, with pg_trgm's word
similarity on the title as the fallback for misspelt words and for languages indexed without a
stemmer (``languages.SIMPLE``). Only published articles are found; ``public_only`` keeps to the
public ones (the customer portal, anything a customer will read).

The query is parsed once per configuration in use and each branch compares only rows of its own
configuration (``search_config = 'french' AND search_vector @@ websearch_to_tsquery('french', q)``),
so the GIN index on the generated ``search_vector`` serves every branch. Full-text matches rank
above title-only similar ones, which are looked for only when the words leave places free; within
them ``ts_rank`` weighs the title (A) above the text (B), then the most read article comes first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Func, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.languages import search_config, search_configs
from modules.service.knowledge.models import Article
from modules.service.knowledge.models.fields import RegConfigField

MAX_QUERY = 200
MAX_WORDS = 24
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
# Looser than pg_trgm's default word similarity (0.6), so one wrong letter in a short word still
# matches ("pasword" ~ "password" ≈ 0.55), while unrelated titles stay out.
WORD_SIMILARITY_THRESHOLD = 0.5
# Markers ts_headline puts around the matched words: control characters the stored text cannot
# hold (they are stripped from ``body_text``), replaced by <mark> after the text is escaped.
_START, _STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter= … "
)
FULL_TEXT, SIMILAR = 2, 1


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    rank: float
    snippet: SafeString
    similar_only: bool  # found by the title's similarity, not by its words


def normalized_query(q: Any, *, field: str = "q") -> str:
    """The words of ``q`` (at most ``MAX_QUERY`` characters); an error naming ``field`` for text
    that cannot be searched (NUL and other control characters)."""
    text = " ".join(str(q or "").split())
    problem = text_problem(text)
    if problem:
        raise ValidationError({field: [problem]})
    if len(text) > MAX_QUERY:
        raise ValidationError({field: [_("Search for at most %(max)d characters.") % {"max": MAX_QUERY}]})
    return text


def readable_articles(*, public_only: bool, language: str | None = None) -> QuerySet[Article]:
    """Published articles a reader may open: staff read internal and public ones, customers only
    public ones; ``language`` narrows to one language."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if public_only:
        articles = articles.filter(visibility=Visibility.PUBLIC)
    if language:
        articles = articles.filter(language=language)
    return articles


def _any_word(q: str) -> str:
    """``q`` as a web-search query that matches any of its words (a case's subject is a sentence,
    not a query: each word is evidence, none is required)."""
    words = [word.replace('"', "") for word in q.split()[:MAX_WORDS]]
    return " or ".join(word for word in words if word and word.lower() != "or")


@contextmanager
def _word_similarity_threshold() -> Iterator[None]:
    # Scoped to this transaction: lets the GIN trigram index serve the looser threshold.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(WORD_SIMILARITY_THRESHOLD)]
        )
        yield


def _full_text(q: str, *, language: str | None, any_word: bool) -> tuple[Q, Case]:
    """The full-text condition (each row compared in its own configuration) and its rank."""
    text = _any_word(q) if any_word else q
    configs = [search_config(language)] if language else search_configs()
    full_text = Q(pk__in=[])
    ranks = []
    for config in configs:
        query = SearchQuery(text, config=config, search_type="websearch")
        same_config = Q(search_config=Cast(Value(config), output_field=RegConfigField()))
        full_text |= same_config & Q(search_vector=query)
        ranks.append(When(same_config, then=SearchRank(F("search_vector"), query)))
    return full_text, Case(*ranks, default=Value(0.0), output_field=FloatField())


def matching_articles(
    q: str, *, public_only: bool, language: str | None = None, any_word: bool = False
) -> QuerySet[Article]:
    """Readable articles whose words match ``q``, best first (``text_rank``, then the most read),
    annotated with ``tier`` and ``text_rank``: the query the GIN index on ``search_vector`` serves."""
    full_text, rank = _full_text(q, language=language, any_word=any_word)
    articles = readable_articles(public_only=public_only, language=language).filter(full_text)
    articles = articles.annotate(
        tier=Value(FULL_TEXT, output_field=IntegerField()), text_rank=rank,
        title_similarity=Value(0.0, output_field=FloatField()),
    )  # fmt: skip
    return articles.order_by("-text_rank", "-view_count", "pk")


def similar_articles(
    q: str, *, public_only: bool, language: str | None = None, any_word: bool = False
) -> QuerySet[Article]:
    """The fallback: readable articles whose words do not match ``q`` but whose title is similar
    to it (a misspelt word, an unstemmed language), most similar first (run it inside
    ``_word_similarity_threshold()``, which lets the title's trigram index serve it)."""
    full_text, _rank = _full_text(q, language=language, any_word=any_word)
    articles = readable_articles(public_only=public_only, language=language)
    articles = articles.filter(title__trigram_word_similar=q).exclude(full_text)
    articles = articles.annotate(
        tier=Value(SIMILAR, output_field=IntegerField()), text_rank=Value(0.0, output_field=FloatField()),
        title_similarity=TrigramWordSimilarity(q, "title"),
    )  # fmt: skip
    return articles.order_by("-title_similarity", "-view_count", "pk")


def _snippet(text: str) -> SafeString:
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308  # escaped first


def search_articles(
    q: Any,
    *,
    public_only: bool,
    language: str | None = None,
    limit: int = DEFAULT_LIMIT,
    any_word: bool = False,
    exclude: tuple[int, ...] = (),
) -> list[ArticleHit]:
    """The best ``limit`` published articles for ``q``, with a snippet of the text around the
    words found (highlighted with <mark>). Errors name ``q``; an empty query finds nothing."""
    text = normalized_query(q)
    if not text:
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    query_text = _any_word(text) if any_word else text
    # The snippet is cut with each row's own configuration, so its words are stemmed like the row's.
    query = Func(F("search_config"), Value(query_text), function="websearch_to_tsquery")
    headline = Func(
        F("search_config"), F("body_text"), query, Value(HEADLINE_OPTIONS), function="ts_headline",
        output_field=TextField(),
    )  # fmt: skip
    # Words first; the titles' similarity only fills the places they leave (its hits rank after
    # every full-text one), so a query the words answer never pays for the trigram scan.
    rows: list[Any] = []
    with _word_similarity_threshold():
        for finder in (matching_articles, similar_articles):
            articles = finder(text, public_only=public_only, language=language, any_word=any_word)
            if exclude:
                articles = articles.exclude(pk__in=exclude)
            rows += articles.select_related("category").annotate(headline=headline)[: limit - len(rows)]
            if len(rows) >= limit:
                break
    return [
        ArticleHit(
            article=row,
            rank=float(row.text_rank if row.tier == FULL_TEXT else row.title_similarity),
            snippet=_snippet(row.headline),
            similar_only=row.tier == SIMILAR,
        )
        for row in rows
    ]


def suggested_articles(text: str, *, public_only: bool = False, limit: int = 5) -> list[ArticleHit]:
    """Articles for a case being written (its subject and description): any of its words counts."""
    words = " ".join(str(text or "").split())[:MAX_QUERY]
    return search_articles(words, public_only=public_only, limit=limit, any_word=True)
