"""Billing amounts: integers in the currency's minor unit, as Stripe keeps them. Every currency the
platform bills in (billing.choices.Currency) has two decimals."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

MINOR_PER_MAJOR = 100


def to_major(minor_amount: int) -> Decimal:
    """``1950`` → ``Decimal("19.50")``."""
    return Decimal(minor_amount) / MINOR_PER_MAJOR


def to_minor(major_amount: Decimal) -> int:
    """``Decimal("19.50")`` → ``1950`` (fractions of a minor unit are dropped)."""
    return int(major_amount * MINOR_PER_MAJOR)


def format_money(minor_amount: int, currency: str) -> str:
    """An amount in the currency's minor unit as text in the active language: "1,234.50 EUR"."""
    return f"{formats.number_format(to_major(minor_amount), 2, use_l10n=True, force_grouping=True)} {currency}"
