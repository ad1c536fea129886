"""What each rep did over a date range, for their manager: activities completed by kind (counted for the
activity's assignee), deals moved between stages (distinct deals, and moves, by who moved them; the
creation of a deal is not a move), deals won and lost (by owner, by close date), win rate
(won / (won + lost)) and the average cycle of won deals (closed − created). Four aggregate queries
whatever the number of reps or records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, DealStageChange


@dataclass
class RepActivity:
    user: User
    activities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ActivityKind.values, 0))
    deals_moved: int = 0
    stage_moves: int = 0
    won: int = 0
    lost: int = 0
    average_cycle: dt.timedelta | None = None

    @property
    def activities_total(self) -> int:
        return sum(self.activities.values())

    @property
    def activity_counts(self) -> list[int]:
        return [self.activities[kind] for kind in ActivityKind.values]

    @property
    def win_rate(self) -> Decimal | None:
        """Percentage of closed deals that were won, one decimal; None when nothing closed."""
        closed = self.won + self.lost
        return None if not closed else (Decimal(self.won * 100) / closed).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def average_cycle_days(self) -> Decimal | None:
        if self.average_cycle is None:
            return None
        return (Decimal(self.average_cycle.total_seconds()) / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rep_activity(viewer: User, start: dt.date, end: dt.date) -> list[RepActivity]:
    """Per visible, active rep, from ``start`` to ``end`` inclusive (days in the current time zone)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    users = User.objects.filter(is_active=True).order_by("full_name", "email")
    visible = visible_owner_ids(viewer)
    if visible is not None:
        users = users.filter(pk__in=visible)
    reps = {user.pk: RepActivity(user=user) for user in users}

    completed = (
        Activity.objects.filter(
            status=ActivityStatus.DONE, completed_at__gte=since, completed_at__lt=until, assignee_id__in=reps
        )
        .values("assignee_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in completed:
        reps[row["assignee_id"]].activities[row["kind"]] = row["n"]

    moves = (
        DealStageChange.objects.filter(
            changed_at__gte=since, changed_at__lt=until, changed_by_id__in=reps, from_stage__isnull=False
        )
        .values("changed_by_id")
        .annotate(moves=Count("id"), deals=Count("deal_id", distinct=True))
        .order_by()
    )
    for move in moves:
        rep = reps[move["changed_by_id"]]
        rep.deals_moved, rep.stage_moves = move["deals"], move["moves"]

    closed = (
        Deal.objects.filter(closed_at__gte=since, closed_at__lt=until, owner_id__in=reps)
        .values("owner_id")
        .annotate(
            won=Count("id", filter=Q(status=DealStatus.WON)),
            lost=Count("id", filter=Q(status=DealStatus.LOST)),
            cycle=Avg(
                ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()),
                filter=Q(status=DealStatus.WON),
            ),
        )
        .order_by()
    )
    for outcome in closed:
        rep = reps[outcome["owner_id"]]
        rep.won, rep.lost, rep.average_cycle = outcome["won"], outcome["lost"], outcome["cycle"]
    return list(reps.values())
