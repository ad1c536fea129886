"""The kanban board of one pipeline: its stages, the first cards of each and exact totals, in fixed queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from identity.models import User
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


def board_columns(pipeline: Pipeline, user: User, *, per_column: int = CARDS_PER_COLUMN) -> list[Column]:
    """Columns of ``pipeline`` with the deals ``user`` may see: 4 queries whatever the number of deals."""
    stages = list(pipeline.stages.order_by("position", "id"))
    columns = {stage.pk: Column(stage=stage) for stage in stages}
    deals = visible_deals(user).filter(pipeline=pipeline)
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
    ranked = deals.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("updated_at").desc(), F("id").desc()])
    )
    cards = (
        ranked.filter(rank__lte=per_column)
        .select_related("company", "owner", "stage")
        .order_by("stage__position", "-updated_at", "-id")
    )
    for deal in cards:
        if deal.stage_id in columns:
            columns[deal.stage_id].cards.append(deal)
    return list(columns.values())
