"""One way for every analysis to run again after the data it reads changed.

An analysis registers itself (``register_analysis``, from its app's ``ready()``): its key, the
function that recomputes it in the current tenant's schema (checking the tenant's plan itself) and
its delay. A change asks for a run (``ask_for_refresh``): the tenant's row for that analysis is
due ``delay`` after the first ask, and the asks until then ride along. Beat's sweep
(``tasks.sweep_due_analyses``) queues ``run_due_analyses`` for every served tenant with a row due;
that runs each due analysis under a lock per tenant and analysis, so two workers never run the same
one at once. A row is removed once its run is done, unless it was asked for again while running; a
failed run is due again ``delay`` later. Nothing waits on a countdown in the broker: a worker comes
to rest between sweeps, and a run whose worker died is run again, its row still due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from modules.analytics.refresh.models import RefreshDue


@dataclass(frozen=True)
class AnalysisRefresh:
    key: str
    # Recomputes the analysis in the current tenant's schema; does nothing for a tenant whose plan
    # lacks what it needs. Its result is not used.
    run: Callable[[], object]
    # From the first change to the run: a burst of changes within it costs one run.
    delay: timedelta


_ANALYSES: dict[str, AnalysisRefresh] = {}


def register_analysis(analysis: AnalysisRefresh) -> None:
    _ANALYSES[analysis.key] = analysis


def registered(key: str) -> AnalysisRefresh:
    try:
        return _ANALYSES[key]
    except KeyError:
        raise LookupError(f"no analysis {key!r} registered") from None


def _tenant_id() -> int:
    """The current tenant's id: asks and runs happen in a tenant's schema."""
    return int(getattr(connection, "tenant").pk)  # noqa: B009 - django-tenants sets it, untyped


def _upsert(rows: Iterable[RefreshDue], *, move_due: bool) -> None:
    RefreshDue.objects.bulk_create(
        list(rows),
        update_conflicts=True,
        unique_fields=["tenant", "analysis"],
        update_fields=["asked_at", "due_at"] if move_due else ["asked_at"],
    )


def ask_for_refresh(key: str) -> None:
    """The current tenant's analysis ``key`` is to run again, ``delay`` after the first ask that has
    not run yet (idempotent: a redelivered event only renews ``asked_at``)."""
    analysis, now = registered(key), timezone.now()
    row = RefreshDue(tenant_id=_tenant_id(), analysis=analysis.key, due_at=now + analysis.delay, asked_at=now)
    _upsert([row], move_due=False)


def refresh_soon(key: str) -> None:
    """The current tenant's analysis ``key`` is to run now (someone waits for it, as after new
    thresholds): due at once, and its run queued when the transaction commits rather than at the
    next sweep."""
    from modules.analytics.refresh.tasks import run_due_analyses

    now = timezone.now()
    _upsert([RefreshDue(tenant_id=_tenant_id(), analysis=registered(key).key, due_at=now, asked_at=now)],
            move_due=True)  # fmt: skip
    transaction.on_commit(run_due_analyses.delay)


def refresh_everywhere(key: str, tenant_ids: Iterable[int]) -> int:
    """Analysis ``key`` of each of the tenants is due now (the nightly refresh); returns how many."""
    now = timezone.now()
    rows = [RefreshDue(tenant_id=pk, analysis=registered(key).key, due_at=now, asked_at=now) for pk in tenant_ids]
    _upsert(rows, move_due=True)
    return len(rows)


@contextmanager
def _run_lock(tenant_id: int, key: str) -> Iterator[bool]:
    """A session advisory lock per tenant and analysis, taken without waiting; yields whether held.
    Session-level, so it outlasts the transactions the run commits."""
    args: list[str | int] = [f"analytics-refresh:{key}", tenant_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", args)
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", args)


def run_if_due(key: str, *, now: datetime | None = None) -> bool:
    """Run the current tenant's analysis ``key`` when it is due and no other worker runs it; True
    when it ran. A run that fails stays asked for, due again ``delay`` later."""
    analysis = registered(key)
    tenant_id = _tenant_id()
    with _run_lock(tenant_id, key) as held:
        if not held:  # another worker runs it; the row stays due if asked again meanwhile
            return False
        started = timezone.now()
        rows = RefreshDue.objects.filter(tenant_id=tenant_id, analysis=key)
        if not rows.filter(due_at__lte=now or started).exists():
            return False
        try:
            analysis.run()
        except Exception:
            rows.update(due_at=timezone.now() + analysis.delay)
            raise
        rows.filter(asked_at__lte=started).delete()
    return True


def run_due(*, now: datetime | None = None) -> list[str]:
    """Run every analysis of the current tenant that is due; returns the keys that ran."""
    keys = RefreshDue.objects.filter(tenant_id=_tenant_id(), due_at__lte=now or timezone.now())
    return [key for key in keys.values_list("analysis", flat=True) if key in _ANALYSES and run_if_due(key, now=now)]
