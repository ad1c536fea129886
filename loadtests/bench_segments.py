"""Segments over a million contacts: the compiled count against the same question written by hand
in SQL (same run), a five-rule segment's full rebuild (membership, counts and the entered events,
set-based), and following one contact's change through the outbox consumer.

One bench tenant gets ``contacts`` contacts (a city out of eight, a company out of 10,000 whose
sizes vary), every third one tagged, every fifth with an order in the last 90 days, written by
``INSERT … SELECT generate_series``. The compiled query's answer must equal the hand-written
SQL's, so a fast figure is never a wrong one.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import psycopg
from django.db import connection
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}segments"
BATCH = 100_000
COMPANIES = 10_000

FILL_SQL = f"""
INSERT INTO contacts_company (name, industry, employee_count, email, additional_emails, phone, additional_phones,
    website, source, lifecycle_stage, description, street, city, region, postal_code, country, custom,
    created_at, updated_at)
SELECT 'Company ' || g, 'Industry', (g * 37) % 2000, '', '{{}}', '', '{{}}', '', '', '', '', '', 'Paris', '',
    '', 'FR', '{{}}', now(), now()
FROM generate_series(1, {COMPANIES}) AS g;
INSERT INTO contacts_tag (name, color) VALUES ('vip', '#6c757d');
"""
CONTACTS_SQL = """
INSERT INTO contacts_contact (first_name, last_name, full_name, job_title, department, company_id, source,
    lifecycle_stage, description, email, additional_emails, phone, additional_phones, street, city, region,
    postal_code, country, custom, created_at, updated_at)
SELECT 'P' || g, 'Bench', 'P' || g || ' Bench', '', '', (SELECT min(id) FROM contacts_company) + g %% %(companies)s,
    CASE WHEN g %% 4 = 0 THEN 'website' ELSE 'referral' END, 'lead', '', 'p' || g || '@bench.example', '{}', '', '{}',
    '', (ARRAY['Paris','Lyon','Nice','Lille','Nantes','Rennes','Metz','Brest'])[1 + g %% 8], '', '', 'FR', '{}',
    now() - (g %% 400) * interval '1 day', now()
FROM generate_series(%(first)s, %(last)s) AS g
"""
RELATED_SQL = """
INSERT INTO contacts_contact_tags (contact_id, tag_id)
SELECT id, (SELECT id FROM contacts_tag WHERE name = 'vip') FROM contacts_contact WHERE id % 3 = 0;
INSERT INTO sales_order (number, status, contact_id, currency, ordered_on, discount_percent, notes, subtotal,
    discount_total, tax_total, total, custom, created_at, updated_at)
SELECT 'B-' || id, 'paid', id, 'EUR', current_date - (id % 90)::int, 0, '', (id % 500), 0, 0, (id % 500), '{}',
    now(), now()
FROM contacts_contact WHERE id % 5 = 0;
ANALYZE contacts_company; ANALYZE contacts_contact; ANALYZE contacts_contact_tags; ANALYZE sales_order;
"""
RULES: dict[str, Any] = {
    "match": "all",
    "conditions": [
        {"type": "contact", "field": "city", "op": "in", "value": ["Paris", "Lyon", "Nice", "Lille"]},
        {"type": "contact", "field": "source", "op": "eq", "value": "website"},
        {"type": "company", "field": "employee_count", "op": "gte", "value": 100},
        {"type": "tag", "op": "any", "tags": ["{vip}"]},
        {"type": "order", "op": "within", "days": 60},
    ],
}
# One rule that half the contacts match: the rebuild writes half a million members and events.
BROAD: dict[str, Any] = {
    "match": "all",
    "conditions": [{"type": "contact", "field": "city", "op": "in", "value": ["Paris", "Lyon", "Nice", "Lille"]}],
}
HAND_SQL = """
SELECT count(*) FROM contacts_contact c
JOIN contacts_company co ON co.id = c.company_id
WHERE c.city IN ('Paris', 'Lyon', 'Nice', 'Lille') AND upper(c.source) = upper('website')
  AND co.employee_count >= 100
  AND EXISTS (SELECT 1 FROM contacts_contact_tags t WHERE t.contact_id = c.id AND t.tag_id = %(tag)s)
  AND EXISTS (SELECT 1 FROM sales_order o WHERE o.contact_id = c.id AND o.status <> 'cancelled'
              AND o.ordered_on >= current_date - 60)
"""


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run(contacts: int, samples: int) -> tuple[str, list[str]]:
    from modules.contacts.models import Contact, Tag
    from modules.contacts.services.contacts import update_contact
    from modules.marketing.models import Segment
    from modules.marketing.segments import services
    from modules.marketing.segments.consumer import follow
    from modules.marketing.segments.rules import clean_rules, matching_contacts

    log(f"segments: creating {SLUG} with {contacts:,} contacts")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    failures: list[str] = []
    facts: dict[str, Any] = {"contacts": contacts}
    try:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
            raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
            started = time.perf_counter()
            raw.execute(FILL_SQL)
            for first in range(1, contacts + 1, BATCH):
                raw.execute(CONTACTS_SQL, {"first": first, "last": min(first + BATCH - 1, contacts),
                                           "companies": COMPANIES})  # fmt: skip
            raw.execute(RELATED_SQL)
            facts["fill_seconds"] = time.perf_counter() - started
            with tenant_context(tenant):
                tag = Tag.objects.get(name="vip").pk
                rules = clean_rules(
                    {**RULES, "conditions": [
                        {**c, "tags": [tag]} if c["type"] == "tag" else c for c in RULES["conditions"]
                    ]}
                )  # fmt: skip
                compiled, by_hand = [], []
                for _ in range(samples):
                    seconds, counted = _timed(lambda: matching_contacts(rules).count())
                    compiled.append(seconds)
                    seconds, expected = _timed(lambda: raw.execute(HAND_SQL, {"tag": tag}).fetchone()[0])  # type: ignore[index]
                    by_hand.append(seconds)
                    if counted != expected:
                        failures.append(f"segment count {counted} differs from the SQL's {expected}")
                facts.update(count=expected, compiled=statistics.median(compiled), by_hand=statistics.median(by_hand))
                log(f"segments: count {facts['compiled']:.2f} s vs SQL {facts['by_hand']:.2f} s ({expected:,})")
                segment = Segment.objects.create(name="Bench five rules", rules=rules)
                facts["rebuild"], change = _timed(lambda: services.rebuild(segment))
                facts["entered"] = change.entered
                facts["rebuild_again"], again = _timed(lambda: services.rebuild(segment))
                if change.entered != expected or (again.entered, again.left) != (0, 0):
                    failures.append(f"rebuild: {change.entered} entered for {expected} matching, then {again}")
                log(f"segments: rebuild {facts['rebuild']:.1f} s, again {facts['rebuild_again']:.1f} s")
                contact = Contact.objects.filter(segment_memberships__segment=segment).order_by("pk").first()
                if contact is None:
                    raise RuntimeError("the segment has no member to change")
                update_contact(contact, by=None, city="Brest")
                from customization.events.models import DomainEvent

                event = DomainEvent.objects.filter(entity="contact", record_id=contact.pk).order_by("-pk")[:1]
                facts["follow"], _none = _timed(lambda: follow(list(event)))
                if Segment.objects.get(pk=segment.pk).memberships.filter(contact=contact).exists():
                    failures.append("the changed contact did not leave the segment")
                log(f"segments: one change followed in {facts['follow'] * 1000:.0f} ms")
                half = Segment.objects.create(name="Bench half", rules=clean_rules(BROAD))
                facts["broad"], broad = _timed(lambda: services.rebuild(half))
                facts["broad_entered"] = broad.entered
                log(f"segments: {broad.entered:,} members and events in {facts['broad']:.1f} s")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(facts, failures, samples), failures


def _section(facts: dict[str, Any], failures: list[str], samples: int) -> str:
    rows = [
        ["segment count, compiled (median)", report.seconds(facts.get("compiled", 0))],
        ["the same count, hand-written SQL (median)", report.seconds(facts.get("by_hand", 0))],
        ["five-rule segment, full rebuild (members, count, entered events)", report.seconds(facts.get("rebuild", 0))],
        ["the same rebuild again (nothing changes)", report.seconds(facts.get("rebuild_again", 0))],
        ["one contact's change followed by the consumer", report.milliseconds(facts.get("follow", 0))],
        [
            f"one-rule segment, full rebuild writing {facts.get('broad_entered', 0):,} members and events",
            report.seconds(facts.get("broad", 0)),
        ],
    ]
    problems = "\n".join(f"- **FAILED** {failure}" for failure in failures) or "- none"
    return f"""
## Segments over {facts.get("contacts", 0):,} contacts

_{report.machine(server_version())}_

{facts.get("contacts", 0):,} contacts written by `INSERT … SELECT generate_series`
({facts.get("fill_seconds", 0):.0f} s), 10,000 companies, a third of the contacts tagged, a fifth with an
order in the last 90 days. The five rules: city one of four, source, the company's size, a tag, an order in
the last 60 days ({facts.get("count", 0):,} contacts match). Counts are medians of {samples} runs; the
compiled count and the hand-written SQL must agree. The rebuild writes {facts.get("entered", 0):,} members
and as many `segment.contact_entered` events.

{report.table(["measure", "time"], rows)}

Problems:

{problems}
"""
