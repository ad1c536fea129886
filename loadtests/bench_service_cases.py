"""Case actions and case search at 500,000 cases and 3,000,000 messages, each against the same
rows read or written by hand-written SQL in the same run.

One bench tenant (every module on) gets 20,000 contacts from ``generate_records`` (COPY), then the
cases and their messages written by PostgreSQL itself (``INSERT … SELECT generate_series``, in
batches, then ANALYZE): subjects from a small vocabulary, every status category, six messages a
case (customer mails and agents' replies alternating). Then, on cases picked at random:

* **open a case**: the case page (``GET /cases/<id>/`` through Django's test client as the
  tenant's admin: visibility, panels, the conversation) vs the case row and its messages by SQL;
* **reply**: ``add_message`` (an agent's public reply: timeline entry, outbox event, case hooks —
  SLA clock, outbound mail queued) vs an ``INSERT`` of the message and an ``UPDATE`` of the case;
* **change the status**: ``update_case`` vs an ``UPDATE`` of the row;
* **search**: the case list's query (``case_list_queryset`` + ``filter_cases`` with ``q``, its
  first page of 50) vs the same search written by hand for the indexes (``SEARCH_SQL``), for a
  subject word, a case number, a contact's name and a word nobody wrote.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.service.choices import MessageAuthor, StatusCategory
from modules.service.lists import filter_cases
from modules.service.models import Case, CaseStatus
from modules.service.selectors.cases import case_list_queryset
from modules.service.services.cases import add_message, update_case
from modules.service.services.statuses import seed_service
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}cases"
CONTACTS = 20_000
MESSAGES_PER_CASE = 6
BATCH = 50_000
WARM_UP = 2
RNG = random.Random(17)  # noqa: S311  # which cases the baseline touches, not a secret
PAGE = 50
WORDS = [
    "printer",
    "invoice",
    "refund",
    "delivery",
    "password",
    "login",
    "parcel",
    "warranty",
    "screen",
    "battery",
    "network",
    "cable",
    "order",
    "shipping",
    "label",
    "account",
    "transfer",
    "discount",
    "charger",
    "update",
]

CASES_SQL = """
INSERT INTO service_case (number, subject, description, contact_id, channel, priority, status_id, language,
    custom, created_at, updated_at, status_changed_at)
SELECT 'C-' || lpad(g::text, 7, '0'),
       initcap((%(w)s::text[])[1 + g %% 20]) || ' ' || (%(w)s::text[])[1 + (g / 20) %% 20] || ' ' || (g %% 997)::text,
       '', %(first_contact)s::bigint + g %% %(contacts)s::int,
       (ARRAY['email','portal','phone','web_form'])[1 + g %% 4], (ARRAY['low','normal','high','urgent'])[1 + g %% 4],
       (%(statuses)s::bigint[])[1 + g %% cardinality(%(statuses)s::bigint[])], '', '{}'::jsonb,
       now() - make_interval(mins => %(total)s::int - g), now() - make_interval(mins => %(total)s::int - g),
       now() - make_interval(mins => %(total)s::int - g)
FROM generate_series(%(start)s::int, %(stop)s::int) AS g
"""
MESSAGES_SQL = """
INSERT INTO service_casemessage (case_id, kind, author_kind, contact_id, channel, from_address, to_addresses,
    cc_addresses, subject, body_text, body_html, message_id, in_reply_to, "references", created_at)
SELECT c.id, 'reply', CASE WHEN m %% 2 = 0 THEN 'customer' ELSE 'agent' END,
       CASE WHEN m %% 2 = 0 THEN c.contact_id END, CASE WHEN m %% 2 = 0 THEN 'email' ELSE 'agent' END,
       '', '[]'::jsonb, '[]'::jsonb, c.subject,
       'Message ' || m || ' about ' || c.subject || '. The '
           || (%(w)s::text[])[1 + (c.id + m) %% 20] || ' still fails.',
       '', '<m' || c.id || '.' || m || '@bench.example>', '', '', c.created_at + make_interval(mins => m)
FROM service_case c CROSS JOIN generate_series(0, %(per_case)s::int - 1) AS m
WHERE c.id BETWEEN %(start)s::bigint AND %(stop)s::bigint
"""
REPLY_SQL = """
INSERT INTO service_casemessage (case_id, kind, author_kind, author_id, channel, from_address, to_addresses,
    cc_addresses, subject, body_text, body_html, message_id, in_reply_to, "references", created_at)
VALUES (%s, 'reply', 'agent', %s, 'agent', '', '[]', '[]', '', 'Thanks, we are looking into it.', '', '', '', '', now())
"""
# The search as one would write it by hand for the indexes it has (trigram indexes on the lower-case
# number and subject, the contacts' on their name and e-mail, found first): what the list's query
# should cost without the ORM and the list around it.
SEARCH_SQL = """
SELECT c.id, c.number, c.subject FROM service_case c
WHERE lower(c.number) LIKE %(like)s OR lower(c.subject) LIKE %(like)s
   OR c.contact_id = ANY(ARRAY(SELECT ct.id FROM contacts_contact ct
                               WHERE lower(ct.full_name) LIKE %(like)s OR lower(ct.email) LIKE %(like)s))
ORDER BY c.created_at DESC, c.id DESC LIMIT 50
"""


def p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def _measure(action: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        action()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return timings


def _generate_contacts() -> float:
    connection.close()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "generate_records", "--tenant", SLUG, "--companies", "2000",
         "--contacts", str(CONTACTS), "--timeline-record-events", "300"],
        cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def _fill(cases: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM contacts_contact")
        first_contact, contacts = cursor.fetchone()
        statuses = list(CaseStatus.objects.order_by("position", "id").values_list("id", flat=True))
        start = time.perf_counter()
        for low in range(1, cases + 1, BATCH):
            cursor.execute(CASES_SQL, {"w": list(WORDS), "first_contact": first_contact, "contacts": contacts,
                                       "statuses": statuses, "total": cases, "start": low,
                                       "stop": min(low + BATCH - 1, cases)})  # fmt: skip
        timings["cases_time"] = time.perf_counter() - start
        cursor.execute("SELECT min(id), max(id) FROM service_case")
        first, last = cursor.fetchone()
        start = time.perf_counter()
        for low in range(first, last + 1, BATCH):
            cursor.execute(MESSAGES_SQL, {"w": list(WORDS), "per_case": MESSAGES_PER_CASE, "start": low,
                                          "stop": min(low + BATCH - 1, last)})  # fmt: skip
        timings["messages_time"] = time.perf_counter() - start
        cursor.execute("SELECT setval(pg_get_serial_sequence('service_case', 'id'), max(id)) FROM service_case")
        start = time.perf_counter()
        for table in ("service_case", "service_casemessage", "contacts_contact"):
            cursor.execute(f"ANALYZE {table}")
        timings["analyze_time"] = time.perf_counter() - start
    return timings


def run(cases: int, samples: int) -> tuple[str, list[str]]:
    log(f"service cases: creating {SLUG}, {cases:,} cases and {cases * MESSAGES_PER_CASE:,} messages")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    facts: dict[str, Any] = {"cases": cases, "samples": samples}
    rows: list[list[str]] = []
    failures: list[str] = []
    try:
        facts["contacts_time"] = _generate_contacts()
        with tenant_context(tenant):
            seed_service()
            facts.update(_fill(cases))
            facts["case_rows"] = Case.objects.count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM service_casemessage")
                facts["message_rows"] = int(cursor.fetchone()[0])
            admin = User.objects.filter(role__key="admin", is_active=True).order_by("id").first()
            if admin is None:
                raise RuntimeError(f"the bench tenant {SLUG} has no admin")
            client = Client(HTTP_HOST=tenant.primary_host)
            client.force_login(admin, backend="identity.backends.EmailBackend")
            ids = list(Case.objects.order_by("?").values_list("id", flat=True)[: samples * 4 + 20])
            picks = iter(ids)
            solved = CaseStatus.objects.filter(category=StatusCategory.SOLVED).first()
            opened = CaseStatus.objects.filter(category=StatusCategory.OPEN).first()
            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
                raw.execute(f'SET search_path TO "{tenant.schema_name}"')
                rows += _actions(client, raw, admin, picks, (solved, opened), samples, failures)
                rows += _searches(raw, admin, samples, failures)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(facts, rows), failures


def _row(label: str, measured: list[float], baseline: list[float]) -> list[str]:
    return [label, report.milliseconds(statistics.median(measured)), report.milliseconds(p95(measured)),
            report.milliseconds(statistics.median(baseline)), report.milliseconds(p95(baseline)),
            f"{p95(measured) / p95(baseline):.1f}×"]  # fmt: skip


def _actions(client: Client, raw: Any, admin: User, picks: Any, statuses: tuple[Any, Any], samples: int,
             failures: list[str]) -> list[list[str]]:  # fmt: skip
    def page() -> None:
        pk = next(picks)
        response = client.get(f"/cases/{pk}/")
        if response.status_code != 200:
            failures.append(f"service cases: GET /cases/{pk}/ answered {response.status_code}")

    def page_sql() -> None:
        pk = RNG.choice(ids_sql)
        raw.execute("SELECT c.*, s.label FROM service_case c JOIN service_casestatus s ON s.id = c.status_id "
                    "WHERE c.id = %s", [pk]).fetchall()  # fmt: skip
        raw.execute("SELECT * FROM service_casemessage WHERE case_id = %s ORDER BY created_at, id", [pk]).fetchall()

    def reply() -> None:
        add_message(Case.objects.get(pk=next(picks)), by=admin, author_kind=MessageAuthor.AGENT,
                    body_text="Thanks, we are looking into it.")  # fmt: skip

    def reply_sql() -> None:
        pk = RNG.choice(ids_sql)
        with raw.transaction():
            raw.execute(REPLY_SQL, [pk, admin.pk])
            raw.execute("UPDATE service_case SET last_agent_message_at = now(), updated_at = now() WHERE id = %s", [pk])

    flip = {"n": 0}

    def status() -> None:
        flip["n"] += 1
        update_case(Case.objects.get(pk=next(picks)), by=admin, status=statuses[flip["n"] % 2])

    def status_sql() -> None:
        flip["n"] += 1
        raw.execute("UPDATE service_case SET status_id = %s, status_changed_at = now(), updated_at = now() "
                    "WHERE id = %s", [statuses[flip["n"] % 2].pk, RNG.choice(ids_sql)])  # fmt: skip

    ids_sql = list(Case.objects.order_by("?").values_list("id", flat=True)[:1000])
    return [
        _row("open a case (its page)", _measure(page, samples), _measure(page_sql, samples)),
        _row("an agent's reply (`add_message`)", _measure(reply, samples), _measure(reply_sql, samples)),
        _row("change the status (`update_case`)", _measure(status, samples), _measure(status_sql, samples)),
    ]


def _searches(raw: Any, admin: User, samples: int, failures: list[str]) -> list[list[str]]:
    contact_name = raw.execute("SELECT full_name FROM contacts_contact ORDER BY id DESC LIMIT 1").fetchone()[0]
    terms = (
        ("printer", "search: a subject word"),
        ("C-0123456", "search: a case number"),
        (contact_name, "search: a contact's name"),
        ("xylophone", "search: a word nobody wrote"),
    )
    rows = []
    for term, label in terms:

        def through_list(term: str = term) -> list[int]:
            return list(filter_cases(case_list_queryset(admin), {"q": term}, admin)
                        .order_by("-created_at", "-id").values_list("id", flat=True)[:PAGE])  # fmt: skip

        def by_hand(term: str = term) -> list[int]:
            # Planned for its values each time, as Django's query is: psycopg prepares a statement
            # after five runs, and the generic plan of ``LIKE $1`` reads no trigram index.
            like = {"like": f"%{term.lower()}%"}
            return [row[0] for row in raw.execute(SEARCH_SQL, like, prepare=False).fetchall()]

        if through_list() != by_hand():
            failures.append(f"service cases: the list's search for {term!r} differs from the SQL's")
        rows.append(_row(f"{label} (“{term}”)", _measure(through_list, samples), _measure(by_hand, samples)))
    return rows


def _section(facts: dict[str, Any], rows: list[list[str]]) -> str:
    cases, samples = facts["cases"], facts["samples"]
    generation = (
        f"Generation: 20,000 contacts by `generate_records` in {facts.get('contacts_time', 0):.0f} s; "
        f"{facts.get('case_rows', 0):,} cases in {facts.get('cases_time', 0):.0f} s, "
        f"{facts.get('message_rows', 0):,} messages in {facts.get('messages_time', 0):.0f} s, "
        f"ANALYZE {facts.get('analyze_time', 0):.0f} s."
    )
    return "\n".join([
        f"## Cases: actions and search at {cases:,} cases and {cases * MESSAGES_PER_CASE:,} messages",
        "",
        report.machine(server_version()),
        "",
        f"{samples} timed samples per row after {WARM_UP} warm-up runs, each on a case picked at random; the "
        "baseline is the same rows read or written by hand-written SQL over psycopg in the same run. The case "
        "page is the whole request through Django's test client (session, visibility, panels, the six-message "
        "conversation, the template); the baseline reads the case and its messages only. Search is the case "
        "list's query for `q` (number, subject, contact's name or e-mail; first page of 50, newest first) "
        "against the same search written by hand for its indexes (lower-case `LIKE` on the number and "
        "subject, `contact_id = ANY(ARRAY(…))` of the contacts matching by name or e-mail); both answer "
        "the same ids.",
        "",
        generation,
        "",
        report.table(["measurement", "median", "p95", "SQL median", "SQL p95", "p95 / SQL"], rows),
    ])  # fmt: skip
