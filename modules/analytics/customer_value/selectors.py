"""Reading the stored customer values: the newest run, the values of the customers a user may see,
and the customers at risk of churning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun
from modules.analytics.customer_value.rfm import customer_scores

# Below this probability of still being a customer (BG/NBD), a customer is at risk.
AT_RISK_ALIVE = 0.5
# RFM segments whose customers are at risk of churning.
AT_RISK_SEGMENTS = ("at_risk", "cant_lose")


def latest_run() -> CustomerValueRun | None:
    return CustomerValueRun.objects.order_by("-computed_at", "-id").first()


def visible_values(user: User) -> QuerySet[CustomerValue]:
    """Stored values of the customers ``user`` may see (their company's or contact's owner)."""
    values = CustomerValue.objects.select_related("company", "contact")
    owners = visible_owner_ids(user)
    if owners is None:
        return values
    return values.filter(Q(company__owner__in=owners) | Q(contact__owner__in=owners))


def by_predicted_value(values: QuerySet[CustomerValue]) -> QuerySet[CustomerValue]:
    return values.order_by(F("predicted_value").desc(nulls_last=True), "-historical_value", "id")


@dataclass(frozen=True)
class ValueTotals:
    customers: int
    historical: Decimal
    predicted: Decimal
    at_risk: int


def value_totals(values: QuerySet[CustomerValue]) -> ValueTotals:
    found = values.aggregate(
        customers=Count("id"),
        historical=Sum("historical_value"),
        predicted=Sum("predicted_value"),
        at_risk=Count("id", filter=Q(probability_alive__lt=AT_RISK_ALIVE)),
    )
    return ValueTotals(
        customers=found["customers"],
        historical=found["historical"] or Decimal("0"),
        predicted=found["predicted"] or Decimal("0"),
        at_risk=found["at_risk"],
    )


@dataclass(frozen=True)
class AtRisk:
    """A customer at risk: why (a low probability alive, an RFM segment, or both) and its figures."""

    kind: str
    customer_id: int
    name: str
    probability_alive: float | None
    segment_label: str | None
    historical_value: Decimal
    last_ordered_on: date


def _key(value: CustomerValue) -> tuple[str, int]:
    return ("company", int(value.company_id)) if value.company_id else ("contact", int(value.contact_id or 0))


def customers_at_risk(user: User, *, today: date, months: int) -> list[AtRisk]:
    """The visible customers with a probability alive under ``AT_RISK_ALIVE`` (newest run) or in an
    RFM segment at risk over ``months``, most valuable first: three queries whatever their number.
    Values are the stored ones (all orders to date); a customer the newest run has not seen yet
    shows its value over the period."""
    scores = {
        (score.kind, score.customer_id): score
        for score in customer_scores(user, today=today, months=months, segments=AT_RISK_SEGMENTS)
    }
    company_ids = [pk for kind, pk in scores if kind == "company"]
    contact_ids = [pk for kind, pk in scores if kind == "contact"]
    stored = {
        _key(value): value
        for value in visible_values(user).filter(
            Q(probability_alive__lt=AT_RISK_ALIVE) | Q(company__in=company_ids) | Q(contact__in=contact_ids)
        )
    }
    rows = []
    for key in {*scores, *(key for key, value in stored.items() if (value.probability_alive or 1) < AT_RISK_ALIVE)}:
        score, value = scores.get(key), stored.get(key)
        rows.append(
            AtRisk(
                kind=key[0],
                customer_id=key[1],
                name=score.name if score else str(value.company or value.contact),  # type: ignore[union-attr]
                probability_alive=value.probability_alive if value else None,
                segment_label=str(score.segment.label) if score else None,
                historical_value=value.historical_value if value else score.monetary,  # type: ignore[union-attr]
                last_ordered_on=value.last_ordered_on if value else score.last_ordered_on,  # type: ignore[union-attr]
            )
        )
    return sorted(rows, key=lambda row: (-row.historical_value, row.kind, row.customer_id))
