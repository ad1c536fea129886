"""Money in reports: amounts in several currencies, each with rates on several dates (one still
ahead, which no report may use yet), give the figures converted one amount at a time would."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from modules.analytics.reports.execution import current_context, latest_rates, run_report
from modules.analytics.reports.selectors import access_for, checked
from modules.contacts.models import ExchangeRate
from modules.sales.models import Deal
from tests.analytics.reports.conftest import World
from tests.factories import DealFactory
from tests.tenancy import TenantFixture

CENT = Decimal("0.01")
# (currency, amount) of the deals added to the world's; GBP's only rate is ahead, CHF has none.
AMOUNTS = [
    ("USD", "333.33"), ("USD", "1234.57"), ("USD", "0.05"), ("RON", "999.99"), ("RON", "17.35"),
    ("GBP", "250.00"), ("CHF", "80.00"), ("EUR", "10.01"),
]  # fmt: skip


def _rates(today: Any) -> None:
    """USD: a year ago, a month ago (the one in force) and next month; RON: two past dates."""
    for currency, days, rate in [
        ("USD", -365, "0.87654321"), ("USD", -30, "0.91234567"), ("USD", 30, "0.99"),
        ("RON", -400, "0.19876543"), ("RON", -2, "0.20111111"), ("GBP", 20, "1.17"),
    ]:  # fmt: skip
        ExchangeRate.objects.get_or_create(
            currency=currency, valid_from=today + timedelta(days=days), defaults={"rate": Decimal(rate)}
        )


def _one_at_a_time(deal: Deal, today: Any, base: str) -> Decimal | None:
    """The deal's amount in ``base``, converted alone with its currency's latest rate up to today."""
    if deal.currency == base:
        return deal.amount
    rate = (
        ExchangeRate.objects.filter(currency=deal.currency, valid_from__lte=today)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    return None if rate is None else (deal.amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def test_grouped_figures_equal_each_amount_converted_alone(alpha: TenantFixture, world: World):
    definition = {
        "group_by": [{"field": "currency"}],
        "measures": [
            {"fn": "sum", "field": "amount"}, {"fn": "avg", "field": "amount"}, {"fn": "min", "field": "amount"},
            {"fn": "max", "field": "amount"}, {"fn": "count"},
        ],
    }  # fmt: skip
    with alpha.active():
        context = current_context()
        _rates(context.today)
        for currency, amount in AMOUNTS:
            DealFactory(owner=world.ana, amount=Decimal(amount), currency=currency, closed_at=timezone.now())
        found, _fields, spec = checked("deals", definition, access_for(world.admin))
        rows = {row.keys[0]: row.values for row in run_report(found, spec, world.admin, context).rows}
        dollars = list(Deal.objects.filter(currency="USD").values_list("amount", flat=True))

        expected: dict[str, tuple[Any, ...]] = {}
        for currency in {deal.currency for deal in Deal.objects.all()}:
            deals = list(Deal.objects.filter(currency=currency))
            converted = [value for deal in deals if (value := _one_at_a_time(deal, context.today, "EUR")) is not None]
            if not converted:
                expected[currency] = (None, None, None, None, len(deals))
                continue
            average = (sum(converted) / len(converted)).quantize(CENT, rounding=ROUND_HALF_UP)
            expected[currency] = (sum(converted), average, min(converted), max(converted), len(deals))

    assert context.base_currency == "EUR"
    assert rows == expected
    # The rate in force, not the newest one, nor the first: the figures above would hide a wrong pick
    # only if every rate were equal.
    assert len(dollars) == 4
    assert rows["USD"][0] == sum(
        (amount * Decimal("0.91234567")).quantize(CENT, rounding=ROUND_HALF_UP) for amount in dollars
    )
    assert rows["GBP"][0] is None
    assert rows["CHF"][0] is None


def test_each_currency_takes_its_latest_rate_up_to_today(alpha: TenantFixture, world: World):
    with alpha.active():
        context = current_context()
        _rates(context.today)
        rates = latest_rates(context.today)

    assert rates["USD"] == Decimal("0.91234567")
    assert rates["RON"] == Decimal("0.20111111")
    assert "GBP" not in rates
