"""Hand-built stage histories for the funnel tests: a pipeline S1 → S2 → S3 → Won (and Lost), and
five deals whose moves are set by hand, days after a start ``T0`` twenty days ago at noon.

- A: S1 (d0) → S2 (d2) → S3 (d5) → Won (d9).
- B: S1 (d0) → S3 (d4), skipping S2 → Lost (d10).
- C: S1 (d1) → S2 (d3) → back to S1 (d4) → S2 (d6) → S3 (d7), still there.
- D: S1 (d2), still there.
- E: S1 (d-10, before the period) → S2 (d1) → Won (d3).

The period runs from T0's day for thirty days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from identity.models import User
from modules.sales.choices import DealStatus, StageKind
from modules.sales.models import Deal, DealStageChange, Pipeline, Stage
from tests.factories import DealFactory

MOVES = {
    "A": [("S1", 0), ("S2", 2), ("S3", 5), ("Won", 9)],
    "B": [("S1", 0), ("S3", 4), ("Lost", 10)],
    "C": [("S1", 1), ("S2", 3), ("S1", 4), ("S2", 6), ("S3", 7)],
    "D": [("S1", 2)],
    "E": [("S1", -10), ("S2", 1), ("Won", 3)],
}


@dataclass
class Histories:
    pipeline: Pipeline
    stages: dict[str, Stage]
    deals: dict[str, Deal]
    start: dt.date
    end: dt.date


def t0() -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=20)
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def build(owners: dict[str, User], *, name: str = "Funnel") -> Histories:
    """The pipeline and the five deals (``owners`` by deal letter), in the active tenant."""
    pipeline = Pipeline.objects.create(name=f"{name} pipeline", position=90)
    kinds = {
        "S1": StageKind.OPEN,
        "S2": StageKind.OPEN,
        "S3": StageKind.OPEN,
        "Won": StageKind.WON,
        "Lost": StageKind.LOST,
    }
    stages = {
        key: Stage.objects.create(pipeline=pipeline, name=f"{name} {key}", position=index, kind=kind)
        for index, (key, kind) in enumerate(kinds.items(), start=1)
    }
    start = t0()
    deals = {}
    for letter, moves in MOVES.items():
        last_stage, last_day = moves[-1]
        status = {"Won": DealStatus.WON, "Lost": DealStatus.LOST}.get(last_stage, DealStatus.OPEN)
        deal = DealFactory(
            name=f"{name} {letter}", pipeline=pipeline, stage=stages[last_stage], status=status, owner=owners[letter]
        )
        DealStageChange.objects.filter(deal=deal).delete()
        previous = None
        for key, day in moves:
            DealStageChange.objects.create(
                deal=deal, from_stage=previous, to_stage=stages[key], changed_at=start + dt.timedelta(days=day)
            )
            previous = stages[key]
        Deal.objects.filter(pk=deal.pk).update(
            created_at=start + dt.timedelta(days=moves[0][1]),
            closed_at=start + dt.timedelta(days=last_day) if status != DealStatus.OPEN else None,
        )
        deals[letter] = deal
    return Histories(pipeline, stages, deals, start.date(), start.date() + dt.timedelta(days=30))
