"""The kanban board of one pipeline: its stages, the first cards of each and exact totals, in fixed queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Min, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from identity.models import User
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.contacts.services.money import RateTable
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, Pipeline, Stage
from modules.sales.selectors.deals import visible_deals

CARDS_PER_COLUMN = 25
CENT = Decimal("0.01")


@dataclass
class Column:
    stage: Stage
    cards: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal("0.00")
    weighted_total: Decimal = Decimal("0.00")
    unconverted: int = 0  # deals whose currency has no rate: left out of the totals

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(CENT)


def next_activity_due() -> Subquery:
    """The due time of a deal's next open activity (one subquery in the cards' query, not per card)."""
    due = (
        Activity.objects.filter(deal=OuterRef("pk"), status=ActivityStatus.OPEN, due_at__isnull=False)
        .order_by()
        .values("deal")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    return Subquery(due)


def board_columns(
    pipeline: Pipeline, user: User, *, owner_id: int | None = None, per_column: int = CARDS_PER_COLUMN
) -> list[Column]:
    """Columns of ``pipeline`` with the deals ``user`` may see (of ``owner_id`` only, when given):
    4 queries whatever the number of deals.

    Cards come in the order users dragged them (``board_position``), deals new to their stage
    first, then the most recently changed; each carries ``next_due`` (its next open activity) and
    ``overdue``.
    """
    stages = list(pipeline.stages.order_by("position", "id"))
    columns = {stage.pk: Column(stage=stage) for stage in stages}
    deals = visible_deals(user).filter(pipeline=pipeline)
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    rates = RateTable()
    today = timezone.localdate()
    rows = deals.values_list("stage_id", "status", "amount", "currency", "probability", "stage__probability")
    for stage_id, status, amount, currency, probability, stage_probability in rows:
        column = columns.get(stage_id)
        if column is None:
            continue
        column.count += 1
        if status == DealStatus.WON:
            effective = 100
        elif status == DealStatus.LOST:
            effective = 0
        else:
            effective = probability if probability is not None else stage_probability
        total = rates.to_base(amount, currency, today)
        weighted_amount = rates.to_base(weighted(amount, effective), currency, today)
        if total is None or weighted_amount is None:
            column.unconverted += 1
            continue
        column.total += total
        column.weighted_total += weighted_amount
    card_order = [F("board_position").asc(nulls_first=True), F("updated_at").desc(), F("id").desc()]
    ranked = deals.annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=card_order))
    cards = (
        ranked.filter(rank__lte=per_column)
        .annotate(next_due=next_activity_due())
        .select_related("company", "owner", "stage")
        .order_by("stage__position", "rank")
    )
    now = timezone.now()
    for deal in cards:
        deal.overdue = deal.next_due is not None and deal.next_due < now  # type: ignore[attr-defined]
        if deal.stage_id in columns:
            columns[deal.stage_id].cards.append(deal)
    return list(columns.values())
