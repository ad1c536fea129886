"""Sample data for a real workspace: a few companies, contacts, leads, deals, activities and products
to try the product with, loaded and removed again in one action each.

It reuses the demo tenant's builders (``DemoBuilder``) at a small size, with the loading user as the
owner of everything and none of the demo's users, teams, extra pipeline, quotes, rates, quotas,
custom fields or workflow rules: sample data must not reshape the workspace. Every row it writes is
listed in ``SampleRecord`` with a fingerprint of its values.

Removal deletes exactly the sample rows nobody touched. A sample record stays (and becomes an
ordinary record) when someone changed it since it was loaded (its fingerprint differs), or when a
record that stays points at it: anything the users created (a deal on a sample company, a note, a
quote line naming a sample product) and any sample record that stays itself. A sample timeline
entry goes when any record it names goes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import record_audit
from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.demo.builder import DemoSize, bulk_create, bulk_create_dated
from modules.contacts.demo.data import Country
from modules.contacts.demo.seed import DemoBuilder
from modules.contacts.models import Company, Contact, SampleRecord, Tag, TimelineEntry
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, Lead, LostReason, PriceList, Product
from modules.sales.services.pipelines import default_pipeline, seed_sales

SAMPLE_SIZE = DemoSize(companies=8, contacts=24, leads=6, deals=14, activities=48)
# What sample data consists of, in the order removal deletes it (a record before those it points at).
SAMPLE_MODELS: tuple[type[models.Model], ...] = (
    Activity, Lead, Deal, Contact, Company, PriceList, Product, Tag, TimelineEntry,
)  # fmt: skip
# Rows that belong to a sample record and go with it: they never keep one.
DETAILS = frozenset({"sales.DealStageChange", "sales.PriceListItem", "activities.Notification"})


class SampleDataError(ValidationError):
    pass


class SampleBuilder(DemoBuilder):
    """The demo's story, small and owned by one user, touching nothing but new records."""

    def __init__(self, owner: User) -> None:
        super().__init__(SAMPLE_SIZE, password_hash=None)
        self.sample_owner = owner

    def users(self) -> None:
        self.admin = self.sample_owner
        self.reps = [self.sample_owner]
        self.owner_pool = [self.sample_owner]
        self.owner_weights = [1]

    def pipelines(self) -> None:
        pipeline = default_pipeline()
        if pipeline is None:
            raise SampleDataError({"sample_data": [_("The workspace has no sales pipeline for the sample deals.")]})
        self.default_pipeline = self.renewals = pipeline
        self.lost_reasons = list(LostReason.objects.filter(is_active=True).order_by("position", "id"))
        if not self.lost_reasons:
            self.lost_reasons = bulk_create(LostReason, [LostReason(name=_("Price"), position=0)])

    def local_currency(self, country: Country, share: float) -> str:
        return self.base_currency  # no exchange rates are loaded, so every amount converts

    def catalog_and_quotes(self) -> None:
        # Products (and the RON price list) only: quote numbers are the workspace's own sequence.
        deals, self.deal_list = self.deal_list, []
        try:
            super().catalog_and_quotes()
        finally:
            self.deal_list = deals

    def _admins_day(self, admin: User) -> list[Activity]:
        return []  # the sample plans its owner's day itself (todays_work), on the sample deals

    def todays_work(self) -> None:
        """Open activities due today (one overdue since yesterday), so the home page's day has
        something in it whatever the random story planned."""
        deals = [deal for deal in self.deal_list if deal.status == DealStatus.OPEN][:3]
        moments = [self.now - timedelta(days=1, hours=2), self.now - timedelta(hours=1), self.now + timedelta(hours=1)]
        rows = []
        for deal, kind, due in zip(
            deals, (ActivityKind.CALL, ActivityKind.TASK, ActivityKind.CALL), moments, strict=False
        ):
            company, contact = self.deal_links[id(deal)]
            topic = deal.name.rsplit(" — ", 1)[-1]
            activity = Activity(
                kind=kind,
                subject=self._subject(kind, contact.full_name, company.name, topic),
                due_at=due,
                assignee=self.sample_owner,
                created_by=self.sample_owner,
                deal=deal,
                company=company,
                contact=contact,
            )
            self.created[id(activity)] = self.now - timedelta(days=3)
            rows.append(activity)
        bulk_create_dated(Activity, rows, self.created)
        for activity in rows:
            self.entry(
                TimelineKind.ACTIVITY,
                self.created[id(activity)],
                self.sample_owner,
                {"event": "created"},
                activity=activity,
                deal=activity.deal,
                company=activity.company,
                contact=activity.contact,
            )

    def build_sample(self) -> None:
        seed_sales()
        self.users()
        self.tags_()
        self.companies()
        self.contacts()
        self.pipelines()
        self.deals()
        self.leads()
        self.activities()
        self.todays_work()
        self.catalog_and_quotes()
        bulk_create(TimelineEntry, self.timeline)


def fingerprint(record: models.Model) -> str:
    values = [
        (f.attname, getattr(record, f.attname))
        for f in record._meta.concrete_fields
        if not isinstance(f, models.GeneratedField)
    ]
    return hashlib.sha256(repr(values).encode()).hexdigest()


def is_loaded() -> bool:
    return SampleRecord.objects.exists()


def _lock_tables() -> None:
    """Keep every other writer off the sample tables while loading, so the rows new since the start
    are exactly the sample's (a second load waits here, then finds the first one's marks)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in SAMPLE_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


@dataclass
class SampleSummary:
    counts: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load_sample_data(*, by: User, ip_address: str | None = None) -> SampleSummary:
    """Fill the workspace with sample records owned by ``by``; refused while sample data is loaded."""
    started = time.perf_counter()
    locale = getattr(getattr(connection, "tenant", None), "locale", "en") or "en"
    summary = SampleSummary()
    with transaction.atomic(), translation.override(locale):
        _lock_tables()
        if is_loaded():
            raise SampleDataError({"sample_data": [_("Sample data is already loaded. Remove it first.")]})
        before = {model: _max_id(model) for model in SAMPLE_MODELS}
        SampleBuilder(by).build_sample()
        marks = []
        for model in SAMPLE_MODELS:
            rows = list(model._default_manager.filter(pk__gt=before[model]))
            summary.counts[model._meta.label] = len(rows)
            marks += [SampleRecord(model=model._meta.label, object_id=r.pk, fingerprint=fingerprint(r)) for r in rows]
        SampleRecord.objects.bulk_create(marks, batch_size=1000)
        record_audit(
            "sample_data.loaded",
            f"Loaded sample data ({len(marks)} rows)",
            actor=by.email,
            target="sample-data",
            details=summary.counts,
            ip_address=ip_address,
        )
    summary.seconds = time.perf_counter() - started
    return summary


def _max_id(model: type[models.Model]) -> int:
    return model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0


def _untouched(marks: dict[str, dict[int, str]]) -> dict[type[models.Model], set[int]]:
    """Per model, the sample rows whose values are as they were loaded."""
    untouched: dict[type[models.Model], set[int]] = {}
    for model in SAMPLE_MODELS:
        wanted = marks.get(model._meta.label, {})
        rows = model._default_manager.filter(pk__in=list(wanted)) if wanted else []
        untouched[model] = {row.pk for row in rows if fingerprint(row) == wanted[row.pk]}
    return untouched


def _pointed_at(
    model: type[models.Model],
    candidates: set[int],
    deletable: dict[type[models.Model], set[int]],
    sample_entries: set[int],
) -> set[int]:
    """Which of ``candidates`` a row that stays points at (through a foreign key or a many-to-many).

    The sample's own timeline entries keep nothing: an entry links every record an event touched
    (a deal's and its company's), so letting them keep records would keep the whole sample."""
    kept: set[int] = set()
    for rel in model._meta.related_objects:
        source = rel.related_model
        if source._meta.label in DETAILS or not candidates:
            continue
        if rel.many_to_many:
            through = rel.through  # type: ignore[attr-defined]
            if through._meta.label in DETAILS:
                continue
            to_us = through._meta.get_field(rel.field.m2m_reverse_field_name())  # type: ignore[attr-defined]
            to_source = through._meta.get_field(rel.field.m2m_field_name())  # type: ignore[attr-defined]
            rows = through._default_manager.filter(**{f"{to_us.attname}__in": candidates})
            if source in deletable:
                rows = rows.exclude(**{f"{to_source.attname}__in": deletable[source]})
            kept |= set(rows.values_list(to_us.attname, flat=True))
        else:
            pointer = rel.field.attname  # type: ignore[union-attr]
            rows = source._default_manager.filter(**{f"{pointer}__in": candidates})
            if source is TimelineEntry:
                rows = rows.exclude(pk__in=sample_entries)
            elif source in deletable:
                rows = rows.exclude(pk__in=deletable[source])
            kept |= set(rows.values_list(pointer, flat=True))
    return kept


def _entries_going(candidates: set[int], deletable: dict[type[models.Model], set[int]]) -> set[int]:
    """The sample timeline entries about a record that goes: an entry stays only when every record
    it names stays (the history of what the users kept)."""
    links = [f for f in TimelineEntry._meta.concrete_fields if f.is_relation and f.related_model in deletable]
    going: set[int] = set()
    for entry in TimelineEntry.objects.filter(pk__in=candidates).values("pk", *[f.attname for f in links]):
        if any(entry[link.attname] in deletable[link.related_model] for link in links):  # type: ignore[index]
            going.add(entry["pk"])
    return going


def remove_sample_data(*, by: User, ip_address: str | None = None) -> SampleSummary:
    """Delete the sample records nobody changed and nothing that stays points at (see the module)."""
    started = time.perf_counter()
    summary = SampleSummary()
    with transaction.atomic():
        _lock_tables()
        marks: dict[str, dict[int, str]] = {}
        for label, object_id, digest in SampleRecord.objects.values_list("model", "object_id", "fingerprint"):
            marks.setdefault(label, {})[object_id] = digest
        if not marks:
            raise SampleDataError({"sample_data": [_("There is no sample data to remove.")]})
        deletable = _untouched(marks)
        sample_entries = set(marks.get(TimelineEntry._meta.label, {}))
        records = [model for model in SAMPLE_MODELS if model is not TimelineEntry]
        changed = True
        while changed:  # a record kept can keep what it points at: repeat until nothing moves
            changed = False
            for model in records:
                kept = _pointed_at(model, deletable[model], deletable, sample_entries)
                if kept & deletable[model]:
                    deletable[model] -= kept
                    changed = True
        deletable[TimelineEntry] = _entries_going(deletable[TimelineEntry], deletable)
        for model in SAMPLE_MODELS:
            label = model._meta.label
            model._default_manager.filter(pk__in=deletable[model]).delete()
            summary.counts[label] = len(deletable[model])
            summary.kept[label] = len(marks.get(label, {})) - len(deletable[model])
        SampleRecord.objects.all().delete()
        record_audit(
            "sample_data.removed",
            f"Removed sample data ({sum(summary.counts.values())} rows; {sum(summary.kept.values())} kept)",
            actor=by.email,
            target="sample-data",
            details={"removed": summary.counts, "kept": summary.kept},
            ip_address=ip_address,
        )
    summary.seconds = time.perf_counter() - started
    return summary
