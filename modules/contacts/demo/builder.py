"""What the demo builders share: sizes, the random source, dating, bulk inserts and small helpers."""

from __future__ import annotations

import functools
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone, translation
from django.utils.translation import gettext

from identity.models import User
from modules.contacts.demo.data import (
    Country,
)
from modules.contacts.models import Company, Contact, Tag, TimelineEntry
from modules.sales.choices import LeadStatus
from modules.sales.models import Deal, Lead, Stage

SEED = 20261123


@functools.lru_cache(maxsize=4096)
def _translated(language: str, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, remembered per language: the builder asks for the same few strings thousands of times."""
    return _translated(translation.get_language() or "", message)


BATCH = 2000
# How far back the demo's orders go (and its oldest customers were created a little before).
HISTORY_DAYS = 730
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


class DemoBase:
    """The state every part of the demo shares, and the helpers that draw from the fixed random source."""

    # Filled by one part of the story, read by the later ones (see DemoBuilder.build for the order).
    admin: User | None
    reps: list[User]
    owner_weights: list[int]
    owner_pool: list[User]  # who owns records: the reps, and the admin for a share of their own
    tags: dict[str, Tag]
    company_list: list[Company]
    contact_list: list[Contact]
    lead_list: list[Lead]
    deal_list: list[Deal]
    deal_story: dict[int, tuple[datetime, datetime]]

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

    def owner(self) -> User:
        return self.rng.choices(self.owner_pool, weights=self.owner_weights)[0]

    def tag(self, name: str) -> Tag:
        return self.tags[name.lower()]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
