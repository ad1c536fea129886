"""Amounts in the tenant's base currency, for reports: converted with the latest rate dated on or
before the amount's date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from core.input_bounds import check_fields as check_input_bounds
from modules.contacts.models import ExchangeRate


def base_currency() -> str:
    return str(getattr(getattr(connection, "tenant", None), "currency", "EUR") or "EUR")


class MissingRate(ValidationError):
    pass


def rate_on(currency: str, on: date) -> Decimal:
    if currency == base_currency():
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingRate(
            {
                "currency": [
                    _("No exchange rate for %(currency)s on or before %(date)s.") % {"currency": currency, "date": on}
                ]
            }
        )
    return rate


def to_base(amount: Decimal, currency: str, on: date) -> Decimal:
    return (amount * rate_on(currency, on)).quantize(Decimal("0.01"))


class RateTable:
    """Rates loaded once for a report that converts many amounts (no query per row)."""

    def __init__(self) -> None:
        self.base = base_currency()
        self._rates: dict[str, list[tuple[date, Decimal]]] = {}
        for currency, valid_from, rate in ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "rate"
        ):
            self._rates.setdefault(currency, []).append((valid_from, rate))

    def to_base(self, amount: Decimal, currency: str, on: date) -> Decimal | None:
        """The amount in base currency; None when no rate covers ``on``."""
        if currency == self.base:
            return amount
        rate = None
        for valid_from, value in self._rates.get(currency, []):
            if valid_from > on:
                break
            rate = value
        return None if rate is None else (amount * rate).quantize(Decimal("0.01"))


def set_rate(*, currency: str, rate: Decimal, valid_from: date) -> ExchangeRate:
    """Record (or correct) the rate of ``currency`` from ``valid_from`` on."""
    if currency == base_currency():
        raise ValidationError({"currency": [_("The base currency needs no exchange rate.")]})
    exchange_rate = ExchangeRate.objects.filter(currency=currency, valid_from=valid_from).first() or ExchangeRate(
        currency=currency, valid_from=valid_from
    )
    exchange_rate.rate = rate
    check_input_bounds(exchange_rate)
    exchange_rate.full_clean(validate_unique=False)
    exchange_rate.save()
    return exchange_rate
