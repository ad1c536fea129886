"""Custom fields at scale: filter and sort on an indexed custom field vs a real typed column.

One bench tenant gets N contacts (``manage.py generate_records``, COPY). Every contact then gets two
custom values — ``region`` (text, one of eight) and ``score`` (a whole number 0–99,999) — and the
same two values in two real columns added to that bench schema only (``bench_region text``,
``bench_score numeric``). Both pairs get the same kind of index: the custom fields through the
platform's own code (``customization.fields.indexes.sync_index``: ``CREATE INDEX CONCURRENTLY`` on
the expression), the typed columns by plain ``CREATE INDEX CONCURRENTLY``.

Then, in the same run, the query a list view asks — ``region = 'north'``, sorted by ``score``, 50
rows — for the first page and a keyset page deep into the result, each as

* the custom field, with the SQL the platform generates (``customization.fields.queries``:
  ``filter_by_custom`` + ``order_by_custom``; the deep page adds the keyset condition
  ``score > x OR (score = x AND id > y)`` on the same expression), and
* the typed columns, hand-written SQL of the same shape: the baseline.

Both sides must return the same ids, and the plans are checked to use the indexes. The custom
query is also timed before its indexes exist, for contrast (a full scan of the JSONB column).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from customization.fields.choices import Entity, FieldType
from customization.fields.indexes import sync_index
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import filter_by_custom, order_by_custom, sort_expression
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.contacts.models import Contact
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}custom"
PAGE = 50
WARM_UP = 3
REGION = "north"
REGIONS = ("north", "south", "east", "west", "centre", "coast", "hills", "islands")
TYPED_FIRST = f"""
    SELECT id FROM contacts_contact WHERE bench_region = %s ORDER BY bench_score, id LIMIT {PAGE}"""
TYPED_NEXT = f"""
    SELECT id FROM contacts_contact
    WHERE bench_region = %s AND (bench_score > %s OR (bench_score = %s AND id > %s))
    ORDER BY bench_score, id LIMIT {PAGE}"""


def _measure(fetch: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        fetch()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - start)
    return timings


def _generate(contacts: int) -> float:
    connection.close()
    start = time.perf_counter()
    command = [sys.executable, str(BASE_DIR / "manage.py"), "generate_records", "--tenant", SLUG]
    subprocess.run([*command, "--contacts", str(contacts)], cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _fill_values() -> float:
    """Same values in the custom column and the typed bench columns; one UPDATE, then ANALYZE."""
    start = time.perf_counter()
    regions = "ARRAY[" + ", ".join(f"'{region}'" for region in REGIONS) + "]"
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE contacts_contact ADD COLUMN bench_region text, ADD COLUMN bench_score numeric")
        cursor.execute(
            f"""
            UPDATE contacts_contact SET
                custom = jsonb_build_object('region', ({regions})[1 + id % 8], 'score', (id * 7919) % 100000),
                bench_region = ({regions})[1 + id % 8],
                bench_score = (id * 7919) % 100000
            """
        )
        cursor.execute("VACUUM ANALYZE contacts_contact")
    return time.perf_counter() - start


def _custom_page(region: CustomFieldDefinition, score: CustomFieldDefinition, after: tuple[Any, int] | None) -> Any:
    queryset = order_by_custom(filter_by_custom(Contact.objects.all(), region, "eq", REGION), score)
    if after is not None:
        from django.db.models import Q

        value, pk = after
        queryset = queryset.alias(_score=sort_expression(score)).filter(
            Q(_score__gt=value) | Q(_score=value, pk__gt=pk)
        )
    return queryset.values_list("id", flat=True)[:PAGE]


def _sql_of(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, params


def _fetch(sql: str, params: tuple[Any, ...] | list[Any]) -> Callable[[], list[Any]]:
    def fetch() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    return fetch


def _plan_indexes(sql: str, params: tuple[Any, ...] | list[Any]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    names: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if "Index Name" in node:
            names.append(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return names


def run(contacts: int, depth: int, samples: int) -> tuple[str, list[str]]:
    log(f"custom fields: creating {SLUG} with {contacts:,} contacts")
    tenant = create_tenant(SLUG, "clone")
    failures: list[str] = []
    rows: dict[str, list[float]] = {}
    facts: dict[str, Any] = {"contacts": contacts}
    try:
        facts["generate"] = _generate(contacts)
        with tenant_context(tenant):
            facts["fill"] = _fill_values()
            region = CustomFieldDefinition.objects.create(
                entity=Entity.CONTACT, key="region", label="Region", field_type=FieldType.SINGLE_SELECT,
                options=[{"value": value, "label": value.title()} for value in REGIONS], is_indexed=True,
            )  # fmt: skip
            score = CustomFieldDefinition.objects.create(
                entity=Entity.CONTACT, key="score", label="Score", field_type=FieldType.NUMBER, is_indexed=True
            )
            first_sql, first_params = _sql_of(_custom_page(region, score, None))
            log("custom fields: the custom query without its indexes")
            rows["custom:noindex"] = _measure(_fetch(first_sql, first_params), max(3, samples // 6))

            start = time.perf_counter()
            states = [sync_index(region.pk), sync_index(score.pk)]
            facts["custom_index_build"] = time.perf_counter() - start
            if states != ["ready", "ready"]:
                failures.append(f"custom field indexes not built: {states}")
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("CREATE INDEX CONCURRENTLY bench_region_idx ON contacts_contact (bench_region)")
                cursor.execute("CREATE INDEX CONCURRENTLY bench_score_idx ON contacts_contact (bench_score)")
                cursor.execute("ANALYZE contacts_contact")
            facts["typed_index_build"] = time.perf_counter() - start

            typed_first = _fetch(TYPED_FIRST, [REGION])
            custom_first = _fetch(first_sql, first_params)
            facts["first_same"] = custom_first() == typed_first()
            facts["custom_plan"] = _plan_indexes(first_sql, first_params)
            facts["typed_plan"] = _plan_indexes(TYPED_FIRST, [REGION])
            log("custom fields: first page")
            rows["typed:first"] = _measure(typed_first, samples)
            rows["custom:first"] = _measure(custom_first, samples)

            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT bench_score, id FROM contacts_contact WHERE bench_region = %s"
                    " ORDER BY bench_score, id OFFSET %s LIMIT 1",
                    [REGION, depth - 1],
                )
                anchor = cursor.fetchone()
            if anchor is None:
                failures.append(f"fewer than {depth:,} contacts in region {REGION}: raise --contacts")
            else:
                deep_sql, deep_params = _sql_of(_custom_page(region, score, (anchor[0], anchor[1])))
                typed_deep = _fetch(TYPED_NEXT, [REGION, anchor[0], anchor[0], anchor[1]])
                custom_deep = _fetch(deep_sql, deep_params)
                facts["deep_same"] = custom_deep() == typed_deep()
                facts["custom_deep_plan"] = _plan_indexes(deep_sql, deep_params)
                log("custom fields: deep page")
                rows["typed:deep"] = _measure(typed_deep, samples)
                rows["custom:deep"] = _measure(custom_deep, samples)
            if not facts.get("first_same") or facts.get("deep_same") is False:
                failures.append("the custom-field query and the typed query returned different rows")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(rows, facts, depth, samples), failures


def _section(rows: dict[str, list[float]], facts: dict[str, Any], depth: int, samples: int) -> str:
    labels = {
        "typed:first": "typed columns (baseline), first page",
        "custom:first": "indexed custom fields, first page",
        "typed:deep": f"typed columns (baseline), keyset page after row {depth:,}",
        "custom:deep": f"indexed custom fields, keyset page after row {depth:,}",
        "custom:noindex": "custom fields before their indexes exist (for contrast), first page",
    }
    table_rows = []
    for key in ("typed:first", "custom:first", "typed:deep", "custom:deep", "custom:noindex"):
        if key in rows:
            summary = report.Summary.of(rows[key])
            table_rows.append([*report.summary_row(labels[key], summary), str(summary.count)])
    ratio = ""
    if "custom:first" in rows and "typed:first" in rows:
        first = statistics.median(rows["custom:first"]) / statistics.median(rows["typed:first"])
        ratio = f"Custom/typed, median: first page ×{first:.2f}"
        if "custom:deep" in rows and "typed:deep" in rows:
            ratio += (
                f", deep page ×{statistics.median(rows['custom:deep']) / statistics.median(rows['typed:deep']):.2f}"
            )
        ratio += "."
    return "\n".join(
        [
            "## Custom fields: filter + sort on an indexed custom field vs a typed column",
            "",
            report.machine(server_version()),
            "",
            f"{facts['contacts']:,} contacts (generated in {report.seconds(facts.get('generate', 0))}, values filled "
            f"in {report.seconds(facts.get('fill', 0))}). Query: `region = '{REGION}'` (1 in 8 contacts) sorted by "
            f"`score`, {PAGE} rows, through Django's database connection; median of {samples} runs after "
            f"{WARM_UP} warm-ups. Index builds: custom fields "
            f"{report.seconds(facts.get('custom_index_build', 0))} (`sync_index`, both), typed columns "
            f"{report.seconds(facts.get('typed_index_build', 0))}.",
            "",
            report.table(["measurement", "median", "min", "max", "runs"], table_rows),
            "",
            ratio,
            "",
            f"Same rows on both sides: first page {facts.get('first_same')}, deep page {facts.get('deep_same')}. "
            f"Indexes in the plans: custom first page {', '.join(facts.get('custom_plan', [])) or 'none'}; "
            f"custom deep page {', '.join(facts.get('custom_deep_plan', [])) or 'none'}; "
            f"typed {', '.join(facts.get('typed_plan', [])) or 'none'}.",
        ]
    )
