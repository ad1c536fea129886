"""Knowledge-base search over 100,000 articles: the search selector (full text in each article's
language, the trigram fallback, ranking and snippets) against the same full-text query written by
hand and sent through psycopg, in one run.

One bench tenant gets published articles in English, French, German and Polish (a quarter each),
written by ``INSERT … SELECT generate_series`` from a small vocabulary per language, so the stored
``regconfig`` and the generated ``tsvector`` are computed by PostgreSQL as for any saved article.
Each query runs through ``search_articles`` in its language and as the hand-written SQL (the same
``websearch_to_tsquery``, ``ts_rank`` ordering and ``ts_headline`` snippet, without the trigram
branch); the selector's full-text hits must begin with the SQL's ids, so a fast figure is never a
wrong one.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import connection
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.service.knowledge.selectors.search import HEADLINE_OPTIONS, search_articles
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}knowledge"
WARM_UP = 2
LIMIT = 10
BATCH = 25_000
# (language, configuration, vocabulary): titles take 4 words and texts 40, picked by the row number.
LANGUAGES = (
    ("en", "english", "invoice payment refund printer password delivery parcel account order warranty return "
     "shipping label card transfer network cable reset login update screen battery charger discount"),
    ("fr", "french", "facture paiement remboursement imprimante identifiant livraison colis compte commande garantie "
     "retour expédition étiquette carte virement réseau câble connexion écran batterie chargeur remise"),
    ("de", "german", "Rechnung Zahlung Erstattung Drucker Passwort Lieferung Paket Konto Bestellung Garantie "
     "Rücksendung Versand Etikett Karte Überweisung Netzwerk Kabel Anmeldung Bildschirm Akku Ladegerät Rabatt"),
    ("pl", "simple", "faktura płatność zwrot drukarka hasło dostawa paczka konto zamówienie gwarancja "
     "wysyłka etykieta karta przelew sieć kabel logowanie ekran bateria ładowarka rabat"),
)  # fmt: skip
QUERIES = (
    ("en", "invoice payment", "two words, English"),
    ("en", "refunds", "a plural, English (stemmed)"),
    ("fr", "factures", "a plural, French (stemmed)"),
    ("de", "Rechnungen", "a plural, German (stemmed)"),
    ("pl", "faktura", "Polish (simple, no stemmer)"),
)

INSERT_SQL = """
INSERT INTO service_knowledge_article (translation_group, language, search_config, category_id, visibility,
    status, title, body, body_text, draft_title, draft_body, view_count, published_at, created_by_id,
    created_at, updated_at)
SELECT gen_random_uuid(), %(language)s, %(config)s::regconfig, NULL,
       CASE WHEN g %% 3 = 0 THEN 'internal' ELSE 'public' END, 'published', t.title, '', t.body, t.title, '',
       g %% 500, now(), NULL, now(), now()
FROM generate_series(%(first)s::int, %(last)s::int) AS g,
LATERAL (
    SELECT initcap(array_to_string(ARRAY(
               SELECT (%(words)s::text[])[1 + ((g * 7 + i * 13) %% %(count)s::int)] FROM generate_series(1, 4) AS i
           ), ' ')) AS title,
           array_to_string(ARRAY(
               SELECT (%(words)s::text[])[1 + ((g * 31 + i * i * 17 + i) %% %(count)s::int)]
               FROM generate_series(1, 40) AS i
           ), ' ') AS body
) AS t
"""
BASELINE_SQL = """
SELECT id, ts_rank(search_vector, q) AS rank,
       ts_headline(search_config, body_text, q, %(options)s)
FROM service_knowledge_article, websearch_to_tsquery(%(config)s::regconfig, %(q)s) AS q
WHERE status = 'published' AND language = %(language)s AND search_config = %(config)s::regconfig
  AND search_vector @@ q
ORDER BY rank DESC, view_count DESC, id
LIMIT %(limit)s
"""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def _measure(fetch: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        fetch()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - start)
    return timings


def _fill(raw: psycopg.Connection[Any], articles: int) -> float:
    started = time.perf_counter()
    per_language = articles // len(LANGUAGES)
    for language, config, vocabulary in LANGUAGES:
        words = vocabulary.split()
        for first in range(1, per_language + 1, BATCH):
            last = min(first + BATCH - 1, per_language)
            raw.execute(INSERT_SQL, {"language": language, "config": config, "words": words, "count": len(words),
                                     "first": first, "last": last})  # fmt: skip
    raw.execute("ANALYZE service_knowledge_article")
    return time.perf_counter() - started


def run(articles: int, samples: int) -> tuple[str, list[str]]:
    log(f"knowledge: creating {SLUG} with {articles:,} articles")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    rows: list[list[str]] = []
    failures: list[str] = []
    facts: dict[str, Any] = {}
    try:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
            raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
            facts["fill_seconds"] = _fill(raw, articles)
            facts["articles"] = raw.execute("SELECT count(*) FROM service_knowledge_article").fetchone()[0]  # type: ignore[index]
            with tenant_context(tenant):
                for language, q, label in QUERIES:
                    config = dict((code, cfg) for code, cfg, _words in LANGUAGES)[language]
                    params = {"q": q, "config": config, "language": language, "limit": LIMIT,
                              "options": HEADLINE_OPTIONS}  # fmt: skip

                    def by_hand(params: dict[str, Any] = params) -> list[tuple[Any, ...]]:
                        return raw.execute(BASELINE_SQL, params).fetchall()

                    def through_selector(q: str = q, language: str = language) -> list[Any]:
                        return search_articles(q, public_only=False, language=language, limit=LIMIT)

                    expected = [row[0] for row in by_hand()]
                    found = [hit.article.pk for hit in through_selector() if not hit.similar_only]
                    if not expected or found != expected[: len(found)] or len(found) < min(len(expected), LIMIT):
                        failures.append(f"{q!r}: the selector found {found[:5]}, the SQL {expected[:5]}")
                    baseline = _measure(by_hand, samples)
                    measured = _measure(through_selector, samples)
                    log(f"knowledge: {q!r}: p95 {p95(measured) * 1000:.1f} ms vs SQL {p95(baseline) * 1000:.1f} ms")
                    rows.append([
                        f"`{q}` — {label}", report.milliseconds(statistics.median(measured)),
                        report.milliseconds(p95(measured)), report.milliseconds(statistics.median(baseline)),
                        report.milliseconds(p95(baseline)), f"{p95(measured) / p95(baseline):.2f}×",
                    ])  # fmt: skip
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(rows, facts, failures, samples), failures


def _section(rows: list[list[str]], facts: dict[str, Any], failures: list[str], samples: int) -> str:
    table = report.table(["query", "selector median", "selector p95", "SQL median", "SQL p95", "p95 vs SQL"], rows)
    problems = "\n".join(f"- **FAILED** {failure}" for failure in failures) or (
        "- none: every query's full-text hits through the selector began with the SQL's."
    )
    return f"""
## Knowledge-base search over {facts.get("articles", 0):,} articles: the search selector vs the same full-text SQL

_{report.machine(server_version())}_

One bench tenant with **{facts.get("articles", 0):,} published articles**, a quarter each in English,
French, German and Polish (Polish indexed with `simple`), written by `INSERT … SELECT generate_series`
({facts.get("fill_seconds", 0):.0f} s, the generated `tsvector` and its GIN index included). Each query runs
{samples} times after {WARM_UP} warm-up runs through `search_articles(q, language=…, limit={LIMIT})` (the
full-text branch, pg_trgm's word similarity on the title as the fallback, ranking, the `ts_headline`
snippet and loading the rows) and as the same full-text query written by hand (`websearch_to_tsquery`,
`ts_rank`, `ts_headline`, without the trigram branch) through a raw psycopg connection.

{table}

Queries whose results disagreed:

{problems}
"""
