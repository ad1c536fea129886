"""The report of a vCard import, a page at a time.

A file may hold 5,000 cards; one page listing every card was a third of the import's own time
(5,000 table rows, each with a link) and more than anyone reads at once. The importer sees the
counts, the cards a page at a time (100), and can show only the imported, updated or skipped ones
(the skipped ones, with the reason, are what needs a look).

The report is kept in the cache for a day under the importer and a random token (the cache keys
carry the tenant's schema), so its pages are the importer's alone. The page that answers the
upload is built from the report in memory, so it shows even when the cache cannot keep it; only
the further pages then say the report is no longer available."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator

from identity.models import User
from modules.contacts.services.vcard_import import IMPORTED, SKIPPED, UPDATED, VCardReport

KEEP_SECONDS = 24 * 60 * 60
PAGE_SIZE = 100
STATUSES = (IMPORTED, UPDATED, SKIPPED)
# A row of the report: card number, name, status, reason, "contact" / "company" / "", record id.
Row = tuple[int, str, str, str, str, int | None]


def _key(user: User, token: str) -> str:
    return f"contacts:vcard-report:{user.pk}:{token}"


@dataclass(frozen=True)
class ReportRow:
    number: int
    label: str
    status: str
    reason: str
    kind: str  # the record's kind, for its link: "contact", "company" or "" (no record)
    record_id: int | None


@dataclass(frozen=True)
class KeptReport:
    """An import's report as its pages read it: a row per card and the counts."""

    token: str
    rows: tuple[Row, ...]
    companies_created: int

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row[2] == status)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def imported(self) -> int:
        return self.count(IMPORTED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)

    def page(self, status: str, number: Any) -> Page:  # type: ignore[type-arg]
        """One page of the rows (of one status when ``status`` is one), a bad number read as the
        nearest page."""
        rows = [ReportRow(*row) for row in self.rows if status not in STATUSES or row[2] == status]
        return Paginator(rows, PAGE_SIZE).get_page(number)


def _rows(report: VCardReport) -> tuple[Row, ...]:
    rows: list[Row] = []
    for outcome in report.outcomes:
        record = outcome.record
        kind = "" if record is None else ("company" if outcome.is_company else "contact")
        rows.append((outcome.number, outcome.label, outcome.status, outcome.reason, kind, getattr(record, "pk", None)))
    return tuple(rows)


def keep_report(report: VCardReport, *, by: User) -> KeptReport:
    """``report`` kept for its pages; the token names it in their address."""
    kept = KeptReport(
        token=secrets.token_urlsafe(16), rows=_rows(report), companies_created=len(report.companies_created)
    )
    cache.set(_key(by, kept.token), (kept.rows, kept.companies_created), KEEP_SECONDS)
    return kept


def kept_report(token: str, *, by: User) -> KeptReport | None:
    """The report ``by`` was given under ``token``, while it is kept (None otherwise)."""
    found = cache.get(_key(by, token))
    if found is None:
        return None
    rows, companies_created = found
    return KeptReport(token=token, rows=tuple(rows), companies_created=companies_created)
