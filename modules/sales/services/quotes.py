"""Quotes: numbering, lines, totals, status changes. Totals are computed here, with Decimal, rounded
half-up to cents:

- line net = quantity × unit price × (1 − line discount), rounded per line;
- subtotal = Σ line nets;
- quote discount = subtotal × quote discount %, rounded;
- tax per line = line net × (1 − quote discount %) × tax rate, rounded per line;
- total = subtotal − quote discount + Σ line tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_fields as check_input_bounds
from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import record_entry
from modules.sales.choices import QuoteStatus
from modules.sales.models import Deal, PricedLine, PriceList, Product, Quote, QuoteLine
from modules.sales.services.catalog import list_price

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Allowed status changes: a draft is sent; a sent quote is accepted, declined or taken back to draft.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    QuoteStatus.DRAFT: (QuoteStatus.SENT,),
    QuoteStatus.SENT: (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.DRAFT),
    QuoteStatus.ACCEPTED: (),
    QuoteStatus.DECLINED: (),
    QuoteStatus.EXPIRED: (),
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def compute_totals(lines: Iterable[PricedLine], discount_percent: Decimal) -> Totals:
    keep = 1 - Decimal(discount_percent) / HUNDRED
    amounts = []
    for line in lines:
        net = cents(line.quantity * line.unit_price * (1 - line.discount_percent / HUNDRED))
        amounts.append(LineAmounts(net=net, tax=cents(net * keep * line.tax_rate / HUNDRED)))
    subtotal = sum((a.net for a in amounts), Decimal("0.00"))
    discount_total = cents(subtotal * Decimal(discount_percent) / HUNDRED)
    tax_total = sum((a.tax for a in amounts), Decimal("0.00"))
    return Totals(tuple(amounts), subtotal, discount_total, tax_total, subtotal - discount_total + tax_total)


def _recompute(quote: Quote) -> None:
    totals = compute_totals(quote.lines.all(), quote.discount_percent)
    quote.subtotal, quote.discount_total = totals.subtotal, totals.discount_total
    quote.tax_total, quote.total = totals.tax_total, totals.total
    quote.save(update_fields=["subtotal", "discount_total", "tax_total", "total", "updated_at"])


def next_quote_number(year: int) -> str:
    """Q-<year>-<0001…>: the next number of the year. Call inside the transaction that saves the quote:
    a transaction-scoped advisory lock (per schema) serializes concurrent creators until it commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{getattr(connection, 'schema_name', '')}:sales.quote-number"],
        )
    prefix = f"Q-{year}-"
    last = (
        Quote.objects.filter(number__startswith=prefix, number__regex=r"^Q-\d{4}-\d+$")
        .annotate(sequence=Cast(Substr("number", len(prefix) + 1), IntegerField()))
        .aggregate(last=Max("sequence"))["last"]
    )
    return f"{prefix}{(last or 0) + 1:04d}"


def _check_draft(quote: Quote) -> None:
    if quote.status != QuoteStatus.DRAFT:
        raise ValidationError({"status": [_("Only a draft quote can be changed.")]})


def _check_header(*, currency: str, price_list: PriceList | None, discount_percent: Decimal) -> None:
    errors: dict[str, list[str]] = {}
    if price_list is not None and price_list.currency != currency:
        errors["price_list"] = [
            _("The price list %(name)s is in %(list_currency)s; this quote is in %(currency)s.")
            % {"name": price_list.name, "list_currency": price_list.currency, "currency": currency}
        ]
    if not Decimal(0) <= Decimal(discount_percent) <= HUNDRED:
        errors["discount_percent"] = [_("A discount is between 0 and 100%.")]
    if errors:
        raise ValidationError(errors)


def create_quote(
    *,
    deal: Deal,
    by: User | None,
    price_list: PriceList | None = None,
    valid_until: date | None = None,
    discount_percent: Decimal = Decimal("0"),
    notes: str = "",
) -> Quote:
    """A draft quote for ``deal``: its company, contact, currency and owner; a timeline entry on the deal."""
    _check_header(currency=deal.currency, price_list=price_list, discount_percent=discount_percent)
    issued_on = timezone.localdate()
    if valid_until is not None and valid_until < issued_on:
        raise ValidationError({"valid_until": [_("The quote cannot expire before it is issued.")]})
    with transaction.atomic():
        quote = Quote(
            number=next_quote_number(issued_on.year),
            deal=deal,
            company_id=deal.company_id,
            contact_id=deal.contact_id,
            owner_id=deal.owner_id or (by.pk if by else None),
            currency=deal.currency,
            price_list=price_list,
            issued_on=issued_on,
            valid_until=valid_until,
            discount_percent=discount_percent,
            notes=notes,
            created_by=by,
        )
        check_input_bounds(quote)
        quote.full_clean(exclude=["deal", "company", "contact", "owner", "price_list", "created_by"])
        quote.save()
        _timeline(quote, by, "created")
    return quote


def update_quote(quote: Quote, *, by: User | None, **values: Any) -> Quote:
    """Change a draft's price list, validity, discount or notes; totals follow."""
    allowed = ("price_list", "valid_until", "discount_percent", "notes")
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    _check_draft(quote)
    _check_header(
        currency=quote.currency,
        price_list=values.get("price_list", quote.price_list),
        discount_percent=values.get("discount_percent", quote.discount_percent),
    )
    valid_until = values.get("valid_until", quote.valid_until)
    if valid_until is not None and quote.issued_on and valid_until < quote.issued_on:
        raise ValidationError({"valid_until": [_("The quote cannot expire before it is issued.")]})
    with transaction.atomic():
        for name, value in values.items():
            setattr(quote, name, value)
        check_input_bounds(quote)
        quote.save()
        _recompute(quote)
    return quote


def _line_values(
    quote: Quote,
    *,
    product: Product | None,
    description: str,
    quantity: Decimal | None,
    unit_price: Decimal | None,
    discount_percent: Decimal | None,
    tax_rate: Decimal | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if product is not None:
        try:
            price = list_price(product, currency=quote.currency, price_list=quote.price_list)
        except ValidationError as error:
            raise ValidationError(error.message_dict) from error
        unit_price = price if unit_price is None else unit_price
        tax_rate = product.tax_rate if tax_rate is None else tax_rate
        description = description.strip() or product.name
    if quantity is None or quantity <= 0:
        errors["quantity"] = [_("The quantity must be more than zero.")]
    if unit_price is None:
        errors["unit_price"] = [_("Enter a unit price or choose a product.")]
    elif unit_price < 0:
        errors["unit_price"] = [_("The unit price cannot be negative.")]
    for name, value in (("discount_percent", discount_percent), ("tax_rate", tax_rate)):
        if value is not None and not Decimal(0) <= value <= HUNDRED:
            errors[name] = [_("Enter a percentage between 0 and 100.")]
    if not description.strip():
        errors["description"] = [_("Describe the line or choose a product.")]
    if errors:
        raise ValidationError(errors)
    return {
        "product": product,
        "description": description.strip(),
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_percent": discount_percent or Decimal("0"),
        "tax_rate": tax_rate or Decimal("0"),
    }


def add_line(
    quote: Quote,
    *,
    by: User | None,
    product: Product | None = None,
    description: str = "",
    quantity: Decimal | None = Decimal("1"),
    unit_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
    tax_rate: Decimal | None = None,
) -> QuoteLine:
    """Add a line; a product fills description, price (the quote's price list first) and tax rate that
    were left empty. Nothing is written when any value is wrong."""
    _check_draft(quote)
    values = _line_values(
        quote, product=product, description=description, quantity=quantity, unit_price=unit_price,
        discount_percent=discount_percent, tax_rate=tax_rate,
    )  # fmt: skip
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        position = (quote.lines.aggregate(last=Max("position"))["last"] or 0) + 1
        line = QuoteLine(quote=quote, position=position, **values)
        check_input_bounds(line)
        line.full_clean(exclude=["quote", "product"])
        line.save()
        _recompute(quote)
    return line


def update_line(
    line: QuoteLine,
    *,
    by: User | None,
    product: Product | None = None,
    description: str = "",
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
    tax_rate: Decimal | None = None,
) -> QuoteLine:
    _check_draft(line.quote)
    values = _line_values(
        line.quote, product=product, description=description, quantity=quantity, unit_price=unit_price,
        discount_percent=discount_percent, tax_rate=tax_rate,
    )  # fmt: skip
    with transaction.atomic():
        for name, value in values.items():
            setattr(line, name, value)
        check_input_bounds(line)
        line.full_clean(exclude=["quote", "product"])
        line.save()
        _recompute(line.quote)
    return line


def remove_line(line: QuoteLine, *, by: User | None) -> None:
    _check_draft(line.quote)
    with transaction.atomic():
        line.delete()
        _recompute(line.quote)


def set_status(quote: Quote, status: str, *, by: User | None) -> Quote:
    """Move a quote along draft → sent → accepted / declined; a sent quote may go back to draft."""
    if status not in TRANSITIONS.get(quote.status, ()):
        raise ValidationError(
            {
                "status": [
                    _("A %(current)s quote cannot become %(new)s.")
                    % {
                        "current": QuoteStatus(quote.status).label,
                        "new": QuoteStatus(status).label if status in QuoteStatus.values else status,
                    }
                ]
            }
        )
    if status == QuoteStatus.SENT and not quote.lines.exists():
        raise ValidationError({"status": [_("Add at least one line before sending the quote.")]})
    with transaction.atomic():
        previous = quote.status
        quote.status = status
        quote.save(update_fields=["status", "updated_at"])
        _timeline(quote, by, "status", previous=previous)
    return quote


def _timeline(quote: Quote, by: User | None, action: str, *, previous: str | None = None) -> None:
    data: dict[str, Any] = {
        "action": action,
        "quote": quote.pk,
        "number": quote.number,
        "status": quote.status,
        "total": str(quote.total),
        "currency": quote.currency,
    }
    if previous is not None:
        data["previous_status"] = previous
    record_entry(TimelineKind.QUOTE, actor=by, data=data, deal=quote.deal, company=quote.company, contact=quote.contact)
