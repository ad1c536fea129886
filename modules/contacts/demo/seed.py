"""The demo tenant's sample data: a believable sales team and six months of its work.

``load_demo_data()`` fills the current tenant schema with users and teams, companies, contacts,
tags, leads, deals in two pipelines (with their stage history), activities and follow-up chains,
timeline entries, products, quotes, exchange rates and quotas. It writes with bulk inserts (a few
seconds in `make run`), in one transaction, and only into a tenant that has no companies yet, so
running it again changes nothing. Random choices come from a fixed seed: the same records every
time, dated relative to today so the pipeline always looks current.

The rows are written with the models directly, not through the services (which write one row at a
time), so this module keeps the invariants the services keep: ``full_name`` joined from the name
parts, deal status matching the stage kind, ``closed_at`` on won and lost deals, a lost reason on
every lost deal, one ``DealStageChange`` per move and a timeline entry for everything that happened.
"""

from __future__ import annotations

import functools
import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from identity.models import Role, Team, User
from identity.services.accounts import ensure_user
from identity.services.roles import ensure_system_roles
from modules.activities.choices import ActivityKind, ActivityStatus, Direction, Outcome, Priority
from modules.activities.models import Activity
from modules.contacts.choices import LifecycleStage, Source, TimelineKind
from modules.contacts.demo.data import (
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    DEAL_TOPICS,
    INDUSTRY_WORDS,
    JOB_TITLES,
    Country,
)
from modules.contacts.models import Company, Contact, ExchangeRate, Tag, TimelineEntry, join_name
from modules.sales.choices import DealStatus, LeadStatus, QuoteStatus, StageKind
from modules.sales.models import (
    Deal,
    DealStageChange,
    Lead,
    LostReason,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quota,
    Quote,
    QuoteLine,
    Stage,
)
from modules.sales.services.pipelines import default_pipeline, seed_sales

SEED = 20261123


@functools.lru_cache(maxsize=4096)
def _translated(language: str, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, remembered per language: the builder asks for the same few strings thousands of times."""
    return _translated(translation.get_language() or "", message)


BATCH = 2000
M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@dataclass(frozen=True)
class DemoSize:
    """How many of each record the demo holds (the tests use the same numbers)."""

    companies: int = 300
    contacts: int = 3000
    leads: int = 200
    deals: int = 400
    activities: int = 5000


# The demo's team: (role key, first name, last name, team). The tenant's admin joins "Field sales".
TEAM_MEMBERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("manager", "Mihai", "Ionescu", "field"),
    ("sales_rep", "Elena", "Popa", "field"),
    ("sales_rep", "Piotr", "Nowak", "field"),
    ("sales_rep", "Claire", "Martin", "inside"),
    ("sales_rep", "Stefan", "Jovanović", "inside"),
    ("marketer", "Ana", "Dumitru", None),
    ("support_agent", "Lukas", "Weber", None),
)
# Lead statuses and how many of the demo's leads are in each (the rest of DemoSize.leads are "new").
LEAD_STATUS_SHARE = {
    LeadStatus.CONVERTED: 0.175,
    LeadStatus.CONTACTED: 0.225,
    LeadStatus.QUALIFIED: 0.2,
    LeadStatus.UNQUALIFIED: 0.15,
}
# What one unit of each currency was worth in euros when the demo was written.
EURO_VALUE = {
    "EUR": Decimal("1"),
    "RON": Decimal("0.2010"),
    "PLN": Decimal("0.2330"),
    "RSD": Decimal("0.00853"),
    "USD": Decimal("0.9200"),
    "GBP": Decimal("1.1700"),
    "CHF": Decimal("1.0500"),
    "CZK": Decimal("0.0398"),
    "HUF": Decimal("0.00252"),
    "BGN": Decimal("0.5113"),
    "SEK": Decimal("0.0870"),
    "NOK": Decimal("0.0860"),
    "DKK": Decimal("0.1341"),
}


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def ascii_slug(text: str, separator: str = "-") -> str:
    """``"Jovanović & Łódź"`` → ``"jovanovic-lodz"``: for e-mail addresses and web domains."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("đ", "d").replace("Đ", "D").replace("ß", "ss")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(char if char.isalnum() else " " for char in plain).split()
    return separator.join(words)


def load_demo_data(*, password: str | None = None, size: DemoSize | None = None) -> DemoSummary | None:
    """Fill the current tenant with the demo data; None (and nothing written) if it has companies already.

    ``password`` is the password of the demo's users (they cannot sign in when None).
    """
    started = time.perf_counter()
    locale = getattr(getattr(connection, "tenant", None), "locale", "en") or "en"
    with transaction.atomic(), translation.override(locale):
        with connection.cursor() as cursor:
            # Two `make run`s at once must not both see an empty tenant.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('relata-demo-data'))")
        if Company.objects.exists():
            return None
        builder = DemoBuilder(size or DemoSize(), password_hash=make_password(password) if password else None)
        summary = builder.build()
    summary.seconds = time.perf_counter() - started
    return summary


def bulk_create(model: type[M], objects: Sequence[M]) -> list[M]:
    return model._default_manager.bulk_create(objects, batch_size=BATCH)


def bulk_create_dated(model: type[M], objects: Sequence[M], created: dict[int, datetime]) -> list[M]:
    """Insert ``objects`` with ``created_at`` / ``updated_at`` from the story, not the ORM's "now".

    ``created`` maps each object's ``id()`` to its creation time. The model's ``auto_now`` /
    ``auto_now_add`` flags are lifted for the insert only (a management command or test, one thread).
    """
    stamped = [
        stamp_field
        for stamp_field in model._meta.concrete_fields
        if getattr(stamp_field, "auto_now", False) or getattr(stamp_field, "auto_now_add", False)
    ]
    flags = [(stamp_field, stamp_field.auto_now, stamp_field.auto_now_add) for stamp_field in stamped]  # type: ignore[attr-defined]
    for obj in objects:
        for stamp_field in stamped:
            setattr(obj, stamp_field.attname, created[id(obj)])
    try:
        for stamp_field in stamped:
            stamp_field.auto_now = stamp_field.auto_now_add = False  # type: ignore[attr-defined]
        return bulk_create(model, objects)
    finally:
        for stamp_field, auto_now, auto_now_add in flags:
            stamp_field.auto_now, stamp_field.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


class DemoBuilder:
    """Builds the records in memory, in the order their foreign keys need, and inserts them in bulk."""

    def __init__(self, size: DemoSize, *, password_hash: str | None) -> None:
        self.size = size
        self.password_hash = password_hash
        self.rng = random.Random(SEED)  # noqa: S311 (sample data, not security)
        self.now = timezone.now().replace(second=0, microsecond=0)
        tenant = getattr(connection, "tenant", None)
        self.base_currency = str(getattr(tenant, "currency", "EUR") or "EUR")
        self.slug = str(getattr(tenant, "slug", "demo"))
        self.created: dict[int, datetime] = {}
        self.timeline: list[TimelineEntry] = []
        self.company_country: dict[int, Country] = {}
        self.company_domain: dict[int, str] = {}
        self.contacts_of: dict[int, list[Contact]] = {}
        self.stage_cache: dict[int, tuple[list[Stage], Stage, Stage]] = {}
        self.contact_company: dict[int, Company] = {}  # id(contact) → its company
        self.deal_links: dict[int, tuple[Company, Contact]] = {}  # id(deal) → (company, contact)

    # ---- helpers ---------------------------------------------------------------------------------

    def ago(self, days_from: float, days_to: float) -> datetime:
        """A moment between ``days_from`` and ``days_to`` days before now, in working hours."""
        moment = self.now - timedelta(days=self.rng.uniform(days_to, days_from))
        return moment.replace(hour=self.rng.randint(8, 17), minute=self.rng.choice((0, 15, 30, 45)))

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + (end - start) * self.rng.random()

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def entry(
        self, kind: str, at: datetime, actor: User | None, data: dict[str, Any] | None = None, **links: Any
    ) -> None:
        self.timeline.append(TimelineEntry(kind=kind, occurred_at=at, actor=actor, data=data or {}, **links))

    def money(self, amount: float, currency: str) -> Decimal:
        """A round amount in ``currency`` worth about ``amount`` euros."""
        value = Decimal(str(amount)) / EURO_VALUE.get(currency, Decimal("1"))
        step = Decimal("100") if value >= 1000 else Decimal("10")
        return ((value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step).quantize(Decimal("0.01"))

    def local_currency(self, country: Country, share: float) -> str:
        if country.currency in ("RON", "PLN") and country.currency != self.base_currency and self.rng.random() < share:
            return country.currency
        return self.base_currency

    # ---- the story -------------------------------------------------------------------------------

    def build(self) -> DemoSummary:
        seed_sales()
        self.users()
        self.tags_()
        self.companies()
        self.contacts()
        self.pipelines()
        self.deals()
        self.leads()
        self.activities()
        self.catalog_and_quotes()
        self.rates_and_quotas()
        bulk_create(TimelineEntry, self.timeline)
        return DemoSummary(
            counts={
                "users": User.objects.count(),
                "teams": Team.objects.count(),
                "tags": Tag.objects.count(),
                "companies": Company.objects.count(),
                "contacts": Contact.objects.count(),
                "leads": Lead.objects.count(),
                "deals": Deal.objects.count(),
                "stage_changes": DealStageChange.objects.count(),
                "activities": Activity.objects.count(),
                "timeline_entries": TimelineEntry.objects.count(),
                "products": Product.objects.count(),
                "quotes": Quote.objects.count(),
                "quotas": Quota.objects.count(),
                "exchange_rates": ExchangeRate.objects.count(),
            }
        )

    def users(self) -> None:
        roles: dict[str, Role] = ensure_system_roles()
        self.admin = User.objects.filter(role__key="admin", is_active=True).order_by("id").first()
        field_team, _created = Team.objects.get_or_create(
            name=_("Field sales"), defaults={"description": _("Key accounts, visited on site.")}
        )
        inside_team, _created = Team.objects.get_or_create(
            name=_("Inside sales"), defaults={"description": _("New business by phone and e-mail.")}
        )
        teams = {"field": field_team, "inside": inside_team}
        self.reps: list[User] = []
        for role_key, first, last, team_key in TEAM_MEMBERS:
            email = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}@{self.slug}.example"
            user = ensure_user(
                email=email, role=roles[role_key], full_name=join_name(first, last), password_hash=self.password_hash
            )
            if self.password_hash is None and user.has_usable_password():
                user.set_unusable_password()
                user.save(update_fields=["password"])
            if team_key:
                user.teams.add(teams[team_key])
            if role_key in ("manager", "sales_rep"):
                self.reps.append(user)
        if self.admin is not None:
            self.admin.teams.add(field_team)
        # Reps own most records; the manager keeps a few key accounts.
        self.owner_weights = [1] + [4] * (len(self.reps) - 1)

    def owner(self) -> User:
        return self.rng.choices(self.reps, weights=self.owner_weights)[0]

    def tags_(self) -> None:
        wanted = [
            (_("VIP"), "#dc3545"),
            (_("Partner"), "#0d6efd"),
            (_("Enterprise"), "#6f42c1"),
            (_("SMB"), "#20c997"),
            (_("Public sector"), "#fd7e14"),
            (_("Newsletter"), "#6c757d"),
            (_("Trade fair"), "#ffc107"),
            (_("Decision maker"), "#198754"),
            (_("Reseller"), "#0dcaf0"),
            (_("Renewal risk"), "#d63384"),
        ]
        existing = {tag.name.lower(): tag for tag in Tag.objects.all()}
        missing = [Tag(name=name, color=color) for name, color in wanted if name.lower() not in existing]
        bulk_create(Tag, missing)
        self.tags = {tag.name.lower(): tag for tag in [*existing.values(), *missing]}

    def tag(self, name: str) -> Tag:
        return self.tags[name.lower()]

    def companies(self) -> None:
        used: set[str] = set()
        rows: list[Company] = []
        industries = list(INDUSTRY_WORDS)
        stages = [
            LifecycleStage.LEAD,
            LifecycleStage.MARKETING_QUALIFIED,
            LifecycleStage.SALES_QUALIFIED,
            LifecycleStage.OPPORTUNITY,
            LifecycleStage.CUSTOMER,
            LifecycleStage.EVANGELIST,
            LifecycleStage.OTHER,
        ]
        stage_weights = [14, 10, 10, 20, 36, 5, 5]
        sources = [choice.value for choice in Source if choice != Source.IMPORT]
        while len(rows) < self.size.companies:
            country = self.rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
            industry = self.pick(industries)
            stem, word = self.pick(COMPANY_STEMS), self.pick(INDUSTRY_WORDS[industry])
            name = f"{stem} {word} {country.company_suffix}"
            if name in used:
                continue
            used.add(name)
            domain = f"{ascii_slug(f'{stem} {word}')}.{country.tld}"
            city, region, postal_code = self.pick(country.cities)
            company = Company(
                name=name,
                website=f"https://www.{domain}",
                industry=_(industry),
                employee_count=self.rng.choice((8, 15, 25, 40, 60, 120, 250, 400, 800, 1500, 4000)),
                owner=self.owner(),
                source=self.pick(sources),
                lifecycle_stage=self.rng.choices(stages, weights=stage_weights)[0],
                email=f"office@{domain}",
                phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                street=f"{self.pick(country.streets)} {self.rng.randint(1, 180)}",
                city=city,
                region=region,
                postal_code=postal_code,
                country=country.code,
            )
            company.created_by = company.owner
            self.created[id(company)] = self.ago(540, 30)
            rows.append(company)
        self.company_list = bulk_create_dated(Company, rows, self.created)
        through = Company.tags.through
        links = []
        for company in rows:
            self.company_country[company.pk] = next(c for c in COUNTRIES if c.code == company.country)
            self.company_domain[company.pk] = company.email.split("@", 1)[1]
            employees = company.employee_count or 0
            if company.lifecycle_stage == LifecycleStage.CUSTOMER and employees >= 800:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("Enterprise")).pk))
            elif employees <= 40:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("SMB")).pk))
            if self.rng.random() < 0.08:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("VIP")).pk))
            if self.rng.random() < 0.06:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("Partner")).pk))
            self.entry(TimelineKind.CREATED, self.created[id(company)], company.owner, company=company)
        through.objects.bulk_create(links, batch_size=BATCH)

    def contacts(self) -> None:
        companies = self.company_list
        # Every company has someone; bigger companies have more people on file.
        homes = list(companies) + self.rng.choices(
            companies,
            weights=[min(company.employee_count or 10, 800) ** 0.5 for company in companies],
            k=self.size.contacts - len(companies),
        )
        used_emails: set[str] = set()
        rows: list[Contact] = []
        for company in homes[: self.size.contacts]:
            country = self.company_country[company.pk]
            first, last = self.pick(country.first_names), self.pick(country.last_names)
            local = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}"
            email = f"{local}@{self.company_domain[company.pk]}"
            suffix = 2
            while email in used_emails:
                email = f"{local}{suffix}@{self.company_domain[company.pk]}"
                suffix += 1
            used_emails.add(email)
            title, department = self.pick(JOB_TITLES)
            stage = company.lifecycle_stage if self.rng.random() < 0.8 else LifecycleStage.LEAD
            contact = Contact(
                first_name=first,
                last_name=last,
                full_name=join_name(first, last),
                job_title=_(title),
                department=_(department),
                company=company,
                owner=company.owner,
                source=company.source,
                lifecycle_stage=stage,
                email=email,
                phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                city=company.city,
                region=company.region,
                country=company.country,
                created_by=company.owner,
            )
            self.created[id(contact)] = self.between(self.created[id(company)], self.now - timedelta(days=2))
            rows.append(contact)
        self.contact_list = bulk_create_dated(Contact, rows, self.created)
        through = Contact.tags.through
        links = []
        for contact, company in zip(rows, homes[: len(rows)], strict=True):
            self.contacts_of.setdefault(company.pk, []).append(contact)
            self.contact_company[id(contact)] = company
            if contact.job_title in (_("Chief Executive Officer"), _("General Manager"), _("Chief Financial Officer")):
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Decision maker")).pk))
            if self.rng.random() < 0.15:
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Newsletter")).pk))
            if self.rng.random() < 0.04:
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Trade fair")).pk))
            self.entry(
                TimelineKind.CREATED, self.created[id(contact)], contact.owner, contact=contact, company=contact.company
            )
        through.objects.bulk_create(links, batch_size=BATCH)

    def pipelines(self) -> None:
        pipeline = default_pipeline()
        if pipeline is None:  # seed_sales() just ran: there is one
            raise RuntimeError("the tenant has no sales pipeline")
        self.default_pipeline = pipeline
        renewals, created = Pipeline.objects.get_or_create(name=_("Renewals"), defaults={"position": 1})
        if created:
            Stage.objects.bulk_create(
                Stage(
                    pipeline=renewals,
                    name=name,
                    kind=kind,
                    probability=probability,
                    position=position,
                    required_fields=required,
                    rotting_days=rotting,
                )
                for position, (name, kind, probability, required, rotting) in enumerate(
                    [
                        (_("Renewal due"), StageKind.OPEN, 60, [], 30),
                        (_("Renewal negotiation"), StageKind.OPEN, 80, ["amount", "expected_close_date"], 21),
                        (_("Renewed"), StageKind.WON, 100, ["amount"], None),
                        (_("Churned"), StageKind.LOST, 0, [], None),
                    ]
                )
            )
        self.renewals = renewals
        self.lost_reasons = list(LostReason.objects.filter(is_active=True).order_by("position", "id"))
        if not self.lost_reasons:
            self.lost_reasons = bulk_create(LostReason, [LostReason(name=_("Price"), position=0)])

    def _stages(self, pipeline: Pipeline) -> tuple[list[Stage], Stage, Stage]:
        if pipeline.pk in self.stage_cache:
            return self.stage_cache[pipeline.pk]
        stages = list(pipeline.stages.order_by("position", "id"))
        open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
        won = next(stage for stage in stages if stage.kind == StageKind.WON)
        lost = next(stage for stage in stages if stage.kind == StageKind.LOST)
        self.stage_cache[pipeline.pk] = (open_stages, won, lost)
        return open_stages, won, lost

    def deals(self) -> None:
        plan: list[tuple[Pipeline, str, int]] = []  # (pipeline, status, index of the last open stage reached)
        renewals = self.size.deals // 5
        for pipeline, count in ((self.default_pipeline, self.size.deals - renewals), (self.renewals, renewals)):
            open_stages, _won, _lost = self._stages(pipeline)
            won, lost = round(count * 0.23), round(count * 0.18)
            plan += [(pipeline, DealStatus.WON, len(open_stages) - 1)] * won
            plan += [(pipeline, DealStatus.LOST, self.rng.randrange(len(open_stages))) for _ in range(lost)]
            plan += [(pipeline, DealStatus.OPEN, i % len(open_stages)) for i in range(count - won - lost)]
        prospects = [c for c in self.company_list if c.lifecycle_stage != LifecycleStage.LEAD]
        customers = [c for c in self.company_list if c.lifecycle_stage in (LifecycleStage.CUSTOMER, "evangelist")]
        self.deal_list: list[Deal] = []
        self.deal_story: dict[int, tuple[datetime, datetime]] = {}  # id(deal) → (created, closed or now)
        changes: list[DealStageChange] = []
        paths: dict[int, list[tuple[Stage, datetime]]] = {}
        for pipeline, status, reached in plan:
            open_stages, won_stage, lost_stage = self._stages(pipeline)
            company = self.pick(customers if pipeline == self.renewals and customers else prospects)
            contact = self.pick(self.contacts_of[company.pk])
            country = self.company_country[company.pk]
            currency = self.local_currency(country, 0.45)
            topic = _(self.pick(DEAL_TOPICS))
            start = max(self.ago(210, 20) if status != DealStatus.OPEN else self.ago(150, 3), self.created[id(company)])
            if status == DealStatus.OPEN:
                end = self.between(start, self.now - timedelta(hours=2))
            else:
                end = min(start + timedelta(days=self.rng.uniform(12, 120)), self.now - timedelta(days=1))
            path = open_stages[: reached + 1]
            finals: dict[str, Stage] = {DealStatus.WON: won_stage, DealStatus.LOST: lost_stage}
            final = finals.get(status)
            if final is not None:
                path = [*path, final]
            moments = [start] + sorted(self.between(start, end) for _ in path[1:-1]) + ([end] if len(path) > 1 else [])
            deal = Deal(
                name=f"{company.name.removesuffix(' ' + country.company_suffix)} — {topic}",
                pipeline=pipeline,
                stage=path[-1],
                status=status,
                amount=self.money(self.rng.choice((2, 4, 6, 9, 12, 18, 25, 40, 60, 90, 120)) * 1000, currency),
                currency=currency,
                expected_close_date=(
                    end if status != DealStatus.OPEN else self.now + timedelta(days=self.rng.randint(5, 90))
                ).date(),
                owner=company.owner,
                company=company,
                contact=contact,
                stage_entered_at=moments[-1],
                created_by=company.owner,
            )
            if status != DealStatus.OPEN:
                deal.closed_at = end
            if status == DealStatus.LOST:
                deal.lost_reason = self.pick(self.lost_reasons)
                if self.rng.random() < 0.3:
                    deal.lost_note = _("They extended their current contract for another year.")
            if status == DealStatus.OPEN and self.rng.random() < 0.15:
                deal.probability = min(95, path[-1].probability + self.rng.choice((-10, 5, 10, 15)))
            self.created[id(deal)] = start
            self.deal_story[id(deal)] = (start, end)
            self.deal_links[id(deal)] = (company, contact)
            self.deal_list.append(deal)
            paths[id(deal)] = list(zip(path, moments, strict=True))
        bulk_create_dated(Deal, self.deal_list, self.created)
        through = Deal.tags.through
        links = []
        for deal in self.deal_list:
            previous: Stage | None = None
            for stage, moment in paths[id(deal)]:
                changes.append(
                    DealStageChange(
                        deal=deal, from_stage=previous, to_stage=stage, changed_by=deal.owner, changed_at=moment
                    )
                )
                links_ = {"deal": deal, "company": deal.company, "contact": deal.contact}
                if previous is None:
                    self.entry(TimelineKind.CREATED, moment, deal.owner, {"stage": stage.name}, **links_)
                else:
                    kinds: dict[str, str] = {
                        StageKind.WON: TimelineKind.DEAL_WON,
                        StageKind.LOST: TimelineKind.DEAL_LOST,
                    }
                    kind = kinds.get(stage.kind, TimelineKind.STAGE_CHANGED)
                    data: dict[str, Any] = {"from_stage": previous.name, "to_stage": stage.name}
                    probabilities: dict[str, int] = {StageKind.WON: 100, StageKind.LOST: 0}
                    data["probability"] = probabilities.get(stage.kind, stage.probability)
                    if stage.kind == StageKind.LOST and deal.lost_reason is not None:
                        data["lost_reason"] = deal.lost_reason.name
                    self.entry(kind, moment, deal.owner, data, **links_)
                previous = stage
            if deal.pipeline_id == self.renewals.pk and self.rng.random() < 0.3:
                links.append(through(deal_id=deal.pk, tag_id=self.tag(_("Renewal risk")).pk))
        bulk_create(DealStageChange, changes)
        through.objects.bulk_create(links, batch_size=BATCH)

    def leads(self) -> None:
        count = self.size.leads
        statuses = [status for status, share in LEAD_STATUS_SHARE.items() for _ in range(round(count * share))]
        statuses += [LeadStatus.NEW] * (count - len(statuses))
        converted_deals = [
            deal for deal in self.deal_list if deal.pipeline_id == self.default_pipeline.pk and deal.lead_id is None
        ]
        self.rng.shuffle(converted_deals)
        used_names = {company.name for company in self.company_list}
        sources = [Source.WEBSITE, Source.REFERRAL, Source.EVENT, Source.EMAIL_CAMPAIGN, Source.ADVERTISING]
        rows: list[Lead] = []
        for status in statuses:
            owner = self.owner()
            if status == LeadStatus.CONVERTED and converted_deals:
                deal = converted_deals.pop()
                company, contact = self.deal_links[id(deal)]
                converted_at = self.created[id(deal)]
                lead = Lead(
                    first_name=contact.first_name,
                    last_name=contact.last_name,
                    company_name=company.name,
                    job_title=contact.job_title,
                    email=contact.email,
                    phone=contact.phone,
                    website=company.website,
                    country=company.country,
                    source=self.pick(sources),
                    status=status,
                    estimated_value=deal.amount,
                    currency=deal.currency,
                    owner=deal.owner,
                    converted_at=converted_at,
                    converted_by=deal.owner,
                    converted_company=company,
                    converted_contact=contact,
                    converted_deal=deal,
                    created_by=deal.owner,
                )
                created = converted_at - timedelta(days=self.rng.uniform(3, 40))
                deal.lead = lead
            else:
                country = self.rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
                first, last = self.pick(country.first_names), self.pick(country.last_names)
                industry = self.pick(list(INDUSTRY_WORDS))
                name = f"{self.pick(COMPANY_STEMS)} {self.pick(INDUSTRY_WORDS[industry])} {country.company_suffix}"
                while name in used_names:
                    name = f"{self.pick(COMPANY_STEMS)} {self.pick(INDUSTRY_WORDS[industry])} {country.company_suffix}"
                used_names.add(name)
                domain = f"{ascii_slug(name.rsplit(' ', 1)[0] if ' ' in name else name)}.{country.tld}"
                currency = self.local_currency(country, 0.5)
                lead = Lead(
                    first_name=first,
                    last_name=last,
                    company_name=name,
                    job_title=_(self.pick(JOB_TITLES)[0]),
                    email=f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}@{domain}",
                    phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                    website=f"https://www.{domain}",
                    country=country.code,
                    source=self.pick(sources),
                    status=status,
                    estimated_value=self.money(self.rng.choice((3, 5, 8, 12, 20, 35, 50)) * 1000, currency),
                    currency=currency,
                    owner=owner,
                    created_by=owner,
                )
                created = self.ago(180, 0.5)
            lead.full_name = join_name(lead.first_name, lead.last_name)
            self.created[id(lead)] = created
            rows.append(lead)
        self.lead_list = bulk_create_dated(Lead, rows, self.created)
        Deal.objects.bulk_update([deal for deal in self.deal_list if deal.lead is not None], ["lead"], batch_size=BATCH)
        through = Lead.tags.through
        links = []
        for lead in rows:
            created = self.created[id(lead)]
            self.entry(TimelineKind.CREATED, created, lead.owner, lead=lead)
            paths: dict[str, list[str]] = {
                LeadStatus.CONTACTED: [LeadStatus.CONTACTED],
                LeadStatus.QUALIFIED: [LeadStatus.CONTACTED, LeadStatus.QUALIFIED],
                LeadStatus.UNQUALIFIED: [LeadStatus.CONTACTED, LeadStatus.UNQUALIFIED],
                LeadStatus.CONVERTED: [LeadStatus.CONTACTED, LeadStatus.QUALIFIED],
            }
            path = paths.get(lead.status, [])
            end = lead.converted_at or self.now
            moments = sorted(self.between(created, end) for _ in path)
            previous: str = LeadStatus.NEW
            for step, moment in zip(path, moments, strict=True):
                self.entry(
                    TimelineKind.STATUS_CHANGED,
                    moment,
                    lead.owner,
                    {"from_status": previous, "to_status": step},
                    lead=lead,
                )
                previous = step
            if lead.status == LeadStatus.CONVERTED:
                self.entry(
                    TimelineKind.LEAD_CONVERTED,
                    end,
                    lead.owner,
                    {"lead": lead.full_name},
                    lead=lead,
                    company=lead.converted_company,
                    contact=lead.converted_contact,
                    deal=lead.converted_deal,
                )
            if lead.source == Source.EVENT:
                links.append(through(lead_id=lead.pk, tag_id=self.tag(_("Trade fair")).pk))
        through.objects.bulk_create(links, batch_size=BATCH)

    # ---- activities ------------------------------------------------------------------------------

    def _subject(self, kind: str, person: str, organisation: str, topic: str) -> str:
        templates: dict[str, tuple[str, ...]] = {
            ActivityKind.CALL: (
                gettext_noop("Call with %(person)s"),
                gettext_noop("Discovery call: %(topic)s"),
                gettext_noop("Check in with %(person)s"),
            ),
            ActivityKind.MEETING: (
                gettext_noop("Meeting at %(organisation)s"),
                gettext_noop("Demo: %(topic)s"),
                gettext_noop("Workshop with %(person)s"),
            ),
            ActivityKind.TASK: (
                gettext_noop("Send the proposal to %(person)s"),
                gettext_noop("Prepare the offer: %(topic)s"),
                gettext_noop("Update the contract draft for %(organisation)s"),
            ),
            ActivityKind.EMAIL: (
                gettext_noop("Pricing sent to %(person)s"),
                gettext_noop("Case studies for %(organisation)s"),
            ),
            ActivityKind.NOTE: (
                gettext_noop("Notes from the talk with %(person)s"),
                gettext_noop("%(organisation)s: budget approved for next quarter"),
            ),
        }
        template = _(self.pick(templates[kind]))
        return template % {"person": person, "organisation": organisation, "topic": topic}

    def _activity(
        self, at: datetime, owner: User | None, links: dict[str, Any], person: str, organisation: str, topic: str
    ) -> Activity:
        kind = self.rng.choices(
            [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.TASK, ActivityKind.NOTE],
            weights=[30, 18, 15, 22, 15],
        )[0]
        activity = Activity(
            kind=kind,
            subject=self._subject(kind, person, organisation, topic),
            assignee=owner,
            created_by=owner,
            priority=self.rng.choices([Priority.LOW, Priority.NORMAL, Priority.HIGH], weights=[2, 7, 1])[0],
            **links,
        )
        future = at > self.now
        if kind == ActivityKind.NOTE:
            if future:
                at = self.now - timedelta(hours=self.rng.randint(1, 72))
            activity.status, activity.completed_at, activity.completed_by = ActivityStatus.DONE, at, owner
            activity.body = _("Interested; wants a follow-up before the end of the month.")
            self.created[id(activity)] = at
            return activity
        at = at.replace(minute=self.rng.choice((0, 30)))
        activity.due_at = at
        if kind == ActivityKind.MEETING:
            activity.ends_at = at + timedelta(minutes=self.rng.choice((30, 60, 90)))
            activity.location = self.rng.choice((organisation, _("Video call"), _("Our office")))
        if kind in (ActivityKind.CALL, ActivityKind.EMAIL):
            activity.direction = self.rng.choices([Direction.OUTBOUND, Direction.INBOUND], weights=[3, 1])[0]
        if future:
            activity.status = ActivityStatus.OPEN
            if kind in (ActivityKind.MEETING, ActivityKind.CALL):
                activity.remind_at = at - timedelta(minutes=15)
            self.created[id(activity)] = self.now - timedelta(days=self.rng.uniform(0.2, 10))
            return activity
        logged = kind in (ActivityKind.CALL, ActivityKind.EMAIL) and self.rng.random() < 0.5
        self.created[id(activity)] = at if logged else at - timedelta(days=self.rng.uniform(0.5, 10))
        roll = self.rng.random()
        if not logged and roll < 0.05:
            activity.status = ActivityStatus.CANCELLED
        elif not logged and roll < 0.15 and at > self.now - timedelta(days=14):
            activity.status = ActivityStatus.OPEN  # overdue
        else:
            activity.status = ActivityStatus.DONE
            activity.completed_at = at if logged else min(at + timedelta(minutes=self.rng.randint(15, 240)), self.now)
            activity.completed_by = owner
            if kind == ActivityKind.CALL:
                activity.outcome = self.rng.choices(
                    [Outcome.SUCCESSFUL, Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE, Outcome.RESCHEDULED],
                    weights=[6, 2, 2, 1],
                )[0]
        return activity

    def activities(self) -> None:
        target = self.size.activities
        rows: list[Activity] = []
        chains: list[tuple[Activity, Activity]] = []  # (origin, follow-up)
        deal_last: dict[int, datetime] = {}
        for deal in self.deal_list:
            start, end = self.deal_story[id(deal)]
            company, contact = self.deal_links[id(deal)]
            person, organisation = contact.full_name, company.name
            topic = deal.name.rsplit(" — ", 1)[-1]
            links: dict[str, Any] = {"deal": deal, "company": company, "contact": contact}
            moments = sorted(self.between(start, end) for _ in range(self.rng.randint(3, 7)))
            if deal.status == DealStatus.OPEN:
                moments += [self.now + timedelta(days=self.rng.uniform(0.5, 28)) for _ in range(self.rng.randint(1, 2))]
            previous: Activity | None = None
            for moment in moments:
                activity = self._activity(moment, deal.owner, links, person, organisation, topic)
                rows.append(activity)
                if (
                    previous is not None
                    and previous.status == ActivityStatus.DONE
                    and previous.kind in (ActivityKind.CALL, ActivityKind.MEETING)
                    and activity.kind != ActivityKind.NOTE
                    and activity.due_at is not None
                    and previous.completed_at is not None
                    and previous.completed_at <= activity.due_at
                    and self.rng.random() < 0.5
                ):
                    chains.append((previous, activity))
                    self.created[id(activity)] = previous.completed_at
                if activity.completed_at is not None:
                    deal_last[id(deal)] = max(deal_last.get(id(deal), activity.completed_at), activity.completed_at)
                previous = activity
        for lead in self.lead_list:
            if lead.status in (LeadStatus.NEW, LeadStatus.CONVERTED):
                continue
            lead_links: dict[str, Any] = {"lead": lead}
            for _index in range(self.rng.randint(1, 3)):
                moment = self.between(self.created[id(lead)], self.now + timedelta(days=10))
                topic = _("First conversation")
                rows.append(self._activity(moment, lead.owner, lead_links, lead.full_name, lead.company_name, topic))
        contacts = self.contact_list
        while len(rows) < target:
            contact = self.pick(contacts)
            moment = self.between(
                max(self.created[id(contact)], self.now - timedelta(days=183)), self.now + timedelta(days=21)
            )
            company = self.contact_company[id(contact)]
            links = {"contact": contact, "company": company}
            rows.append(
                self._activity(moment, contact.owner, links, contact.full_name, company.name, _("Account review"))
            )
        rows = rows[:target]
        kept = {id(activity) for activity in rows}
        bulk_create_dated(Activity, rows, self.created)
        follow_ups = []
        for origin, follow_up in chains:
            if id(origin) in kept and id(follow_up) in kept:
                follow_up.origin = origin
                follow_ups.append(follow_up)
        Activity.objects.bulk_update(follow_ups, ["origin"], batch_size=BATCH)
        for deal in self.deal_list:
            if id(deal) in deal_last:
                deal.last_activity_at = deal_last[id(deal)]
        Deal.objects.bulk_update(
            [d for d in self.deal_list if id(d) in deal_last], ["last_activity_at"], batch_size=BATCH
        )
        for activity in rows:
            links = {name: getattr(activity, name) for name in ("company", "contact", "lead", "deal")}
            created = self.created[id(activity)]
            self.entry(
                TimelineKind.ACTIVITY, created, activity.created_by, {"event": "created"}, activity=activity, **links
            )
            if activity.status == ActivityStatus.DONE and activity.completed_at and activity.completed_at > created:
                self.entry(
                    TimelineKind.ACTIVITY,
                    activity.completed_at,
                    activity.completed_by,
                    {"event": "completed"},
                    activity=activity,
                    **links,
                )
            elif activity.status == ActivityStatus.CANCELLED:
                self.entry(
                    TimelineKind.ACTIVITY,
                    self.between(created, activity.due_at or created),
                    activity.created_by,
                    {"event": "cancelled"},
                    activity=activity,
                    **links,
                )

    # ---- catalog, quotes, money ------------------------------------------------------------------

    def catalog_and_quotes(self) -> None:
        base = self.base_currency
        catalog = [
            ("REL-CRM-USR", _("CRM licence, per user and month"), _("licence"), 35, 19),
            ("REL-CRM-ENT", _("CRM Enterprise licence, per user and month"), _("licence"), 59, 19),
            ("REL-ONB", _("Onboarding workshop (1 day)"), _("day"), 950, 19),
            ("REL-MIG", _("Data migration"), _("hour"), 85, 19),
            ("REL-TRN", _("User training (half day)"), _("session"), 480, 19),
            ("REL-INT", _("ERP integration"), _("hour"), 95, 19),
            ("REL-SUP-STD", _("Standard support, per year"), _("year"), 1800, 19),
            ("REL-SUP-PRM", _("Premium support, per year"), _("year"), 4800, 19),
            ("HW-SCAN-01", _("Rugged barcode scanner"), _("pcs"), 640, 19),
            ("HW-TAB-10", _("10-inch field tablet"), _("pcs"), 420, 19),
        ]
        products = bulk_create(
            Product,
            [
                Product(
                    sku=sku,
                    name=name,
                    unit=unit,
                    unit_price=self.money(price, base),
                    currency=base,
                    tax_rate=Decimal(tax),
                )
                for sku, name, unit, price, tax in catalog
                if not Product.objects.filter(sku=sku).exists()
            ],
        )
        price_list = None
        if base != "RON":
            price_list, _created = PriceList.objects.get_or_create(
                name=_("Romania (RON)"), defaults={"currency": "RON"}
            )
            bulk_create(
                PriceListItem,
                [
                    PriceListItem(
                        price_list=price_list, product=product, unit_price=self.money(float(product.unit_price), "RON")
                    )
                    for product in products
                ],
            )
        candidates = [d for d in self.deal_list if d.pipeline_id == self.default_pipeline.pk]
        proposals = [d for d in candidates if d.status == DealStatus.OPEN and d.stage.probability >= 50][:2]
        won = [d for d in candidates if d.status == DealStatus.WON][:1]
        year = self.now.year
        quotes = []
        lines: list[QuoteLine] = []
        for number, (deal, status) in enumerate(
            [(d, QuoteStatus.SENT) for d in proposals] + [(d, QuoteStatus.ACCEPTED) for d in won], start=1
        ):
            issued = (deal.stage_entered_at if status == QuoteStatus.SENT else deal.closed_at or self.now).date()
            quote = Quote(
                number=f"Q-{year}-{number:04d}",
                deal=deal,
                company=deal.company,
                contact=deal.contact,
                owner=deal.owner,
                status=status,
                currency=base,
                issued_on=issued,
                valid_until=issued + timedelta(days=30),
                discount_percent=Decimal("5") if number == 1 else Decimal("0"),
                created_by=deal.owner,
            )
            chosen = self.rng.sample(products, k=min(3, len(products)))
            quote_lines = [
                QuoteLine(
                    quote=quote,
                    position=position,
                    product=product,
                    description=product.name,
                    quantity=Decimal(self.rng.choice((1, 2, 5, 10, 25))),
                    unit_price=product.unit_price,
                    discount_percent=Decimal("10") if position == 0 else Decimal("0"),
                    tax_rate=product.tax_rate,
                )
                for position, product in enumerate(chosen)
            ]
            self._totals(quote, quote_lines)
            self.created[id(quote)] = datetime.combine(issued, datetime.min.time(), tzinfo=self.now.tzinfo)
            quotes.append(quote)
            lines += quote_lines
        bulk_create_dated(Quote, quotes, self.created)
        for line in lines:
            line.quote_id = line.quote.pk
        bulk_create(QuoteLine, lines)
        for quote in quotes:
            self.entry(
                TimelineKind.QUOTE,
                self.created[id(quote)],
                quote.owner,
                {"number": quote.number, "status": quote.status, "total": str(quote.total), "currency": quote.currency},
                deal=quote.deal,
                company=quote.company,
                contact=quote.contact,
            )

    @staticmethod
    def _totals(quote: Quote, lines: list[QuoteLine]) -> None:
        """Subtotal after line discounts, the quote's discount on it, tax on what remains."""
        cent = Decimal("0.01")
        nets = [(line.quantity * line.unit_price * (100 - line.discount_percent) / 100) for line in lines]
        subtotal = sum(nets, Decimal("0")).quantize(cent)
        factor = (100 - quote.discount_percent) / 100
        tax = sum((net * factor * line.tax_rate / 100 for net, line in zip(nets, lines, strict=True)), Decimal("0"))
        quote.subtotal = subtotal
        quote.discount_total = (subtotal * quote.discount_percent / 100).quantize(cent)
        quote.tax_total = tax.quantize(cent)
        quote.total = quote.subtotal - quote.discount_total + quote.tax_total

    def rates_and_quotas(self) -> None:
        base_value = EURO_VALUE.get(self.base_currency)
        rates = []
        if base_value is not None:
            first_of_month = self.now.date().replace(day=1)
            for months_back in range(12, -1, -1):
                month = _add_months(first_of_month, -months_back)
                for currency in ("EUR", "RON", "PLN", "RSD"):
                    if currency == self.base_currency:
                        continue
                    drift = Decimal(1) + Decimal(self.rng.randint(-150, 150)) / Decimal(10000)
                    rate = (EURO_VALUE[currency] * drift / base_value).quantize(Decimal("0.00000001"))
                    rates.append(ExchangeRate(currency=currency, rate=rate, valid_from=month))
        existing = set(ExchangeRate.objects.values_list("currency", "valid_from"))
        bulk_create(ExchangeRate, [rate for rate in rates if (rate.currency, rate.valid_from) not in existing])
        this_month = self.now.date().replace(day=1)
        quotas = []
        for user in self.reps:
            monthly = self.money(self.rng.choice((40, 50, 60, 75)) * 1000, self.base_currency)
            for offset in range(-6, 3):
                quotas.append(Quota(user=user, month=_add_months(this_month, offset), amount=monthly))
        existing_quotas = set(Quota.objects.values_list("user_id", "month"))
        bulk_create(Quota, [q for q in quotas if (q.user_id, q.month) not in existing_quotas])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
