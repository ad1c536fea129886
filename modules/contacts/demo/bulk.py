"""Many records in one tenant, fast: what the list and timeline benchmarks page through.

``generate_records()`` streams rows into the current tenant's tables with PostgreSQL ``COPY``
(psycopg 3 ``cursor.copy()``), in one transaction. For a large load it drops the table's secondary
indexes first and builds them again afterwards (one sorted build is much faster than a million
index insertions), then runs ``ANALYZE`` so the planner knows the new sizes. Rows are deterministic
for a given seed. The records keep the invariants the services keep (``full_name`` joined from the
name parts, deal status matching the stage kind, ``closed_at`` and a lost reason on closed deals, a
``DealStageChange`` for each deal's entry into its stage); unlike the demo data they carry no
history apart from the one timeline record, which gets ``timeline_record_events`` entries.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.contacts.choices import LifecycleStage, Source, TimelineKind
from modules.contacts.demo.builder import ascii_slug
from modules.contacts.demo.data import COMPANY_STEMS, COUNTRIES, INDUSTRY_WORDS, JOB_TITLES
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.choices import DealStatus, LeadStatus, StageKind
from modules.sales.models import Deal, DealStageChange, Lead, LostReason
from modules.sales.services.pipelines import default_pipeline, seed_sales

TIMELINE_RECORD_NAME = "Timeline record"
# An empty array in COPY's text format: cheaper than adapting an empty list a million times.
NO_ITEMS = "{}"
# Tables that receive at least this many rows get their secondary indexes rebuilt after the load.
REBUILD_INDEXES_FROM = 100_000
# How the generated contacts spread over the lifecycle stages (the benchmark filters on "customer").
LIFECYCLE_WEIGHTS = {
    LifecycleStage.SUBSCRIBER: 10, LifecycleStage.LEAD: 25, LifecycleStage.MARKETING_QUALIFIED: 12,
    LifecycleStage.SALES_QUALIFIED: 10, LifecycleStage.OPPORTUNITY: 10, LifecycleStage.CUSTOMER: 25,
    LifecycleStage.EVANGELIST: 5, LifecycleStage.OTHER: 3,
}  # fmt: skip


@dataclass(frozen=True)
class RecordCounts:
    companies: int = 0
    contacts: int = 0
    leads: int = 0
    deals: int = 0
    activities: int = 0
    timeline_record_events: int = 0


@dataclass
class GenerationReport:
    written: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    timeline_company_id: int | None = None


class _People:
    """First and last names of every country, with their ASCII forms for e-mail addresses."""

    def __init__(self) -> None:
        firsts = sorted({name for country in COUNTRIES for name in country.first_names})
        lasts = sorted({name for country in COUNTRIES for name in country.last_names})
        self.first = [(name, ascii_slug(name, ".")) for name in firsts]
        self.last = [(name, ascii_slug(name, ".")) for name in lasts]
        self.cities = [(city, country.code) for country in COUNTRIES for city, _region, _code in country.cities]


def _schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def _table(model: type[models.Model]) -> str:
    return f"{connection.ops.quote_name(_schema())}.{connection.ops.quote_name(model._meta.db_table)}"


def _max_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=models.Max("id"))["top"] or 0)


def _ids_after(model: type[models.Model], after: int) -> list[int]:
    return list(model._default_manager.filter(id__gt=after).order_by("id").values_list("id", flat=True))


@contextmanager
def _indexes_dropped(model: type[models.Model], rows: int) -> Iterator[None]:
    """Drop ``model``'s secondary indexes for a large load, and build them again afterwards."""
    if rows < REBUILD_INDEXES_FROM:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = %s AND i.tablename = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                              AND c.connamespace = %s::regnamespace)
            """,
            [_schema(), model._meta.db_table, connection.ops.quote_name(_schema())],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(_schema())}.{connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)


def _copy(model: type[models.Model], columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``model``'s table; returns how many were written."""
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        statement = f"COPY {_table(model)} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def generate_records(counts: RecordCounts, *, seed: int = 1) -> GenerationReport:
    """Write ``counts`` records into the current tenant schema, in one transaction."""
    report = GenerationReport()
    rng = random.Random(seed)  # noqa: S311 (sample data, not security)
    now = timezone.now().replace(microsecond=0)
    people = _People()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Foreign keys are checked at the end of each COPY, not at commit: an index cannot be built
            # on a table with pending deferred checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seed_sales()
        owners: list[int | None] = [
            *User.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)
        ] or [None]

        def timed(name: str, step: Callable[[], int]) -> None:
            started = time.perf_counter()
            report.written[name] = step()
            report.seconds[name] = time.perf_counter() - started

        company_ids: list[int] = []

        def companies() -> int:
            before = _max_id(Company)
            written = _copy_companies(counts.companies, rng, now, people, owners)
            company_ids.extend(_ids_after(Company, before))
            return written

        contact_ids: list[int] = []

        def contacts() -> int:
            before = _max_id(Contact)
            written = _copy_contacts(counts.contacts, rng, now, people, owners, company_ids)
            if counts.activities or counts.deals:
                contact_ids.extend(_ids_after(Contact, before))
            return written

        timed("companies", companies)
        timed("contacts", contacts)
        timed("leads", lambda: _copy_leads(counts.leads, rng, now, people, owners))
        timed("deals", lambda: _copy_deals(counts.deals, rng, now, owners, company_ids, contact_ids))
        timed("activities", lambda: _copy_activities(counts.activities, rng, now, owners, company_ids, contact_ids))
        if counts.timeline_record_events:
            started = time.perf_counter()
            report.timeline_company_id = _timeline_record(counts.timeline_record_events, rng, now, owners)
            report.written["timeline_entries"] = counts.timeline_record_events
            report.seconds["timeline_entries"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Company, Contact, Lead, Deal, DealStageChange, Activity, TimelineEntry):
            cursor.execute(f"ANALYZE {_table(model)}")
    report.seconds["analyze"] = time.perf_counter() - started
    return report


def _copy_companies(count: int, rng: random.Random, now: datetime, people: _People, owners: list[int | None]) -> int:
    columns = (
        "name", "website", "industry", "employee_count", "owner_id", "source", "lifecycle_stage", "description",
        "email", "additional_emails", "phone", "additional_phones", "street", "city", "region", "postal_code",
        "country", "created_by_id", "created_at", "updated_at",
    )  # fmt: skip
    industries = list(INDUSTRY_WORDS)
    stages = [stage.value for stage in LIFECYCLE_WEIGHTS]
    weights = list(LIFECYCLE_WEIGHTS.values())

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(1, count + 1):
            industry = industries[rng.randrange(len(industries))]
            words = INDUSTRY_WORDS[industry]
            stem = COMPANY_STEMS[rng.randrange(len(COMPANY_STEMS))]
            word = words[rng.randrange(len(words))]
            domain = f"{ascii_slug(stem)}-{word.lower()}-{index}.example"
            city, country = people.cities[rng.randrange(len(people.cities))]
            owner = owners[rng.randrange(len(owners))]
            created = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            yield (
                f"{stem} {word} {index}", f"https://www.{domain}", industry, rng.randrange(5, 5000), owner,
                Source.IMPORT.value, rng.choices(stages, weights)[0], "", f"office@{domain}", NO_ITEMS, "", NO_ITEMS,
                "", city, "", "", country, owner, created, created,
            )  # fmt: skip

    with _indexes_dropped(Company, count):
        return _copy(Company, columns, rows())


def _copy_contacts(
    count: int,
    rng: random.Random,
    now: datetime,
    people: _People,
    owners: list[int | None],
    company_ids: list[int],
) -> int:
    columns = (
        "first_name", "last_name", "full_name", "job_title", "department", "company_id", "owner_id", "source",
        "lifecycle_stage", "description", "email", "additional_emails", "phone", "additional_phones", "street",
        "city", "region", "postal_code", "country", "created_by_id", "created_at", "updated_at",
    )  # fmt: skip
    stages = [stage.value for stage in LIFECYCLE_WEIGHTS]
    # Pre-drawn stages: one rng.choices call per row would dominate the run time.
    stage_draws = rng.choices(stages, list(LIFECYCLE_WEIGHTS.values()), k=min(count, 65_536))
    firsts, lasts, cities = people.first, people.last, people.cities
    span = 3 * 365 * 24 * 60

    def rows() -> Iterator[tuple[Any, ...]]:
        randrange = rng.randrange
        for index in range(1, count + 1):
            first, first_ascii = firsts[randrange(len(firsts))]
            last, last_ascii = lasts[randrange(len(lasts))]
            title, department = JOB_TITLES[randrange(len(JOB_TITLES))]
            city, country = cities[randrange(len(cities))]
            company = company_ids[randrange(len(company_ids))] if company_ids else None
            owner = owners[randrange(len(owners))]
            created = now - timedelta(minutes=randrange(span))
            email = f"{first_ascii}.{last_ascii}.{index}@people.example"
            yield (
                first, last, f"{first} {last}", title, department, company, owner, Source.IMPORT.value,
                stage_draws[index % len(stage_draws)], "", email, NO_ITEMS, "", NO_ITEMS, "", city, "", "", country,
                owner, created, created,
            )  # fmt: skip

    with _indexes_dropped(Contact, count):
        return _copy(Contact, columns, rows())


def _copy_leads(count: int, rng: random.Random, now: datetime, people: _People, owners: list[int | None]) -> int:
    columns = (
        "first_name", "last_name", "full_name", "company_name", "job_title", "email", "phone", "website", "country",
        "source", "status", "estimated_value", "currency", "description", "owner_id", "created_by_id",
        "created_at", "updated_at",
    )  # fmt: skip
    statuses = [s.value for s in (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.UNQUALIFIED)]

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(1, count + 1):
            first, first_ascii = people.first[rng.randrange(len(people.first))]
            last, last_ascii = people.last[rng.randrange(len(people.last))]
            owner = owners[rng.randrange(len(owners))]
            created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            yield (
                first, last, f"{first} {last}", f"{COMPANY_STEMS[index % len(COMPANY_STEMS)]} Prospect {index}",
                "", f"{first_ascii}.{last_ascii}.{index}@leads.example", "", "", "", Source.WEBSITE.value,
                statuses[rng.randrange(len(statuses))], Decimal(rng.randrange(1, 100) * 1000), "EUR", "", owner,
                owner, created, created,
            )  # fmt: skip

    with _indexes_dropped(Lead, count):
        return _copy(Lead, columns, rows())


def _copy_deals(
    count: int,
    rng: random.Random,
    now: datetime,
    owners: list[int | None],
    company_ids: list[int],
    contact_ids: list[int],
) -> int:
    if not count:
        return 0
    pipeline = default_pipeline()
    if pipeline is None:
        raise RuntimeError("the tenant has no sales pipeline")
    stages = list(pipeline.stages.order_by("position", "id"))
    reasons = list(LostReason.objects.order_by("position", "id").values_list("id", flat=True))
    columns = (
        "name", "pipeline_id", "stage_id", "status", "amount", "currency", "expected_close_date", "owner_id",
        "company_id", "contact_id", "description", "closed_at", "lost_reason_id", "lost_note", "stage_entered_at",
        "created_by_id", "created_at", "updated_at",
    )  # fmt: skip
    status_of = {StageKind.OPEN: "open", StageKind.WON: "won", StageKind.LOST: "lost"}
    before = _max_id(Deal)
    entered: list[tuple[int, int | None, datetime]] = []  # (stage, owner, when) in insertion order

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(1, count + 1):
            stage = stages[rng.randrange(len(stages))]
            status = status_of[StageKind(stage.kind)]
            owner = owners[rng.randrange(len(owners))]
            created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            closed = created + timedelta(days=rng.randrange(1, 90)) if status != DealStatus.OPEN else None
            if closed is not None and closed > now:
                closed = now
            entered.append((stage.pk, owner, closed or created))
            yield (
                f"Deal {index}", pipeline.pk, stage.pk, status, Decimal(rng.randrange(1, 200) * 500), "EUR",
                (closed or now + timedelta(days=rng.randrange(1, 120))).date(), owner,
                company_ids[rng.randrange(len(company_ids))] if company_ids else None,
                contact_ids[rng.randrange(len(contact_ids))] if contact_ids else None, "", closed,
                reasons[rng.randrange(len(reasons))] if status == DealStatus.LOST and reasons else None, "",
                closed or created, owner, created, created,
            )  # fmt: skip

    with _indexes_dropped(Deal, count):
        written = _copy(Deal, columns, rows())
    deal_ids = _ids_after(Deal, before)
    with _indexes_dropped(DealStageChange, count):
        _copy(
            DealStageChange,
            ("deal_id", "from_stage_id", "to_stage_id", "changed_by_id", "changed_at", "lost_note"),
            (
                (deal_id, None, stage, owner, when, "")
                for deal_id, (stage, owner, when) in zip(deal_ids, entered, strict=True)
            ),
        )
    return written


def _copy_activities(
    count: int,
    rng: random.Random,
    now: datetime,
    owners: list[int | None],
    company_ids: list[int],
    contact_ids: list[int],
) -> int:
    columns = (
        "kind", "subject", "body", "status", "priority", "direction", "due_at", "all_day", "location", "outcome",
        "outcome_note", "completed_at", "assignee_id", "company_id", "contact_id", "created_by_id", "created_at",
        "updated_at",
    )  # fmt: skip
    kinds = [ActivityKind.CALL, ActivityKind.TASK, ActivityKind.EMAIL, ActivityKind.MEETING]
    done_status, open_status = ActivityStatus.DONE.value, ActivityStatus.OPEN.value

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(1, count + 1):
            kind = kinds[rng.randrange(len(kinds))]
            due = now + timedelta(minutes=rng.randrange(-180 * 24 * 60, 30 * 24 * 60))
            done = due < now and rng.random() < 0.85
            owner = owners[rng.randrange(len(owners))]
            yield (
                kind.value, f"{kind.label} {index}", "", done_status if done else open_status, "normal",
                "", due, False, "", "", "", due if done else None, owner,
                company_ids[rng.randrange(len(company_ids))] if company_ids else None,
                contact_ids[rng.randrange(len(contact_ids))] if contact_ids else None, owner,
                due - timedelta(days=1), due - timedelta(days=1),
            )  # fmt: skip

    with _indexes_dropped(Activity, count):
        return _copy(Activity, columns, rows())


def _timeline_record(events: int, rng: random.Random, now: datetime, owners: list[int | None]) -> int:
    """One company with ``events`` timeline entries, a minute apart, newest a minute ago."""
    owner_id = owners[0]
    company = Company(name=f"{TIMELINE_RECORD_NAME} ({events:,} events)", owner_id=owner_id, created_by_id=owner_id)
    company.save()
    kinds = [
        k.value for k in (TimelineKind.UPDATED, TimelineKind.ACTIVITY, TimelineKind.STAGE_CHANGED, TimelineKind.QUOTE)
    ]
    first = now - timedelta(minutes=events + 1)
    Company.objects.filter(pk=company.pk).update(created_at=first, updated_at=first)

    def rows() -> Iterator[tuple[Any, ...]]:
        yield (TimelineKind.CREATED.value, first, owner_id, company.pk, "{}")
        for minute in range(1, events):
            kind = kinds[rng.randrange(len(kinds))]
            data = f'{{"changes": [{{"field": "phone", "old": "", "new": "+40 700 000 {minute % 1000:03d}"}}]}}'
            yield (kind, first + timedelta(minutes=minute), owners[rng.randrange(len(owners))], company.pk, data)

    _copy(TimelineEntry, ("kind", "occurred_at", "actor_id", "company_id", "data"), rows())
    return company.pk
