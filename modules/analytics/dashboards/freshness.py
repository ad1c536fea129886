"""How fresh a widget's figures are, as the dashboard page, REST and GraphQL say it.

While a widget computes, the rollups it consults note here what they did (``rollups.usable`` and
the closed deals' rollup): answered from a rollup, or could not because the rollup is being
rebuilt (the widget then read the records). From that:

- ``rollup``: the figures hold every change up to ``as_of``, the moment the oldest change not yet
  applied happened (the outbox event of the rollups' record types waiting longest), or now when
  none waits — "Updated 2 minutes ago" / "Updated just now";
- ``rebuilding``: a rollup the widget reads is being rebuilt (never built, or the workspace's zone,
  currency or rates changed); the figures were read from the records meanwhile and are current;
- ``precomputed``: figures of a stored analysis (customer value), computed at ``as_of``;
- ``live``: read from the records as they are now (nothing to say).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

# Within this much of now a rollup is "updated just now".
JUST_NOW = timedelta(minutes=1)


@dataclass
class RollupReads:
    """What the rollups consulted while one widget computed."""

    entities: set[str] = field(default_factory=set)
    rebuilding: bool = False


_reads: ContextVar[RollupReads | None] = ContextVar("dashboard_rollup_reads", default=None)


@contextmanager
def watching() -> Iterator[RollupReads]:
    """Collect what the rollups note while the block computes a widget."""
    reads = RollupReads()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def answered_from_rollup(entity: str) -> None:
    """A rollup of ``entity`` records (``deal``, ``activity``, ``case``) gave the figures."""
    reads = _reads.get()
    if reads is not None:
        reads.entities.add(entity)


def rollup_rebuilding() -> None:
    """A rollup could not answer because it is being rebuilt: the records were read instead."""
    reads = _reads.get()
    if reads is not None:
        reads.rebuilding = True


@dataclass(frozen=True)
class Freshness:
    state: str  # live, rollup, rebuilding or precomputed
    as_of: datetime | None
    text: str


def _applied_until(entities: set[str]) -> datetime:
    """Every change to these record types before this moment is in their rollups."""
    from customization.events.models import DomainEvent

    oldest = DomainEvent.objects.filter(published_at__isnull=True, entity__in=sorted(entities)).aggregate(
        oldest=Min("occurred_at")
    )["oldest"]
    return oldest or timezone.now()


def _ago(moment: datetime, now: datetime) -> str:
    return timesince(moment, now, depth=1)


def freshness_of(reads: RollupReads, computed_at: datetime | None) -> Freshness:
    """The freshness of figures computed while ``reads`` was collected (``computed_at``: the
    stored analysis's moment, for a precomputed widget)."""
    now = timezone.now()
    if reads.rebuilding:
        return Freshness("rebuilding", now, _("Rebuilding"))
    if reads.entities:
        as_of = min(_applied_until(reads.entities), now)
        if now - as_of < JUST_NOW:
            return Freshness("rollup", as_of, _("Updated just now"))
        return Freshness("rollup", as_of, _("Updated %(ago)s ago") % {"ago": _ago(as_of, now)})
    if computed_at is not None:
        return Freshness("precomputed", computed_at, _("Computed %(ago)s ago") % {"ago": _ago(computed_at, now)})
    return Freshness("live", None, "")
