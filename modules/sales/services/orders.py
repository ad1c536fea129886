"""Orders: the only writer of orders and their lines. Numbering per tenant and year under a lock,
totals computed as for quotes (``services.quotes.compute_totals``: Decimal, half-up to cents), status
changes along ``TRANSITIONS`` with the time of each, a timeline entry on the order itself and its
company, contact and deal, and an outbox event (``order.created`` / ``updated`` / ``status_changed`` /
``deleted``) in the same transaction as every write.

Lines, currency and the order discount change only while the order is confirmed: once goods have
left, the order is the record of what was sold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.money import base_currency
from modules.contacts.services.records import (
    _custom_changes,
    check_fields,
    new_custom_values,
    record_event,
    validated,
)
from modules.contacts.services.timeline import field_changes, record_entry
from modules.sales.choices import OrderStatus, QuoteStatus
from modules.sales.models import Order, OrderLine, Product, Quote
from modules.sales.services.catalog import list_price
from modules.sales.services.quotes import HUNDRED, compute_totals

# Allowed status changes; every other move is refused with an error on ``status``.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.CONFIRMED: (OrderStatus.FULFILLED, OrderStatus.CANCELLED),
    OrderStatus.FULFILLED: (OrderStatus.INVOICED, OrderStatus.CANCELLED),
    OrderStatus.INVOICED: (OrderStatus.PAID, OrderStatus.CANCELLED),
    OrderStatus.PAID: (),
    OrderStatus.CANCELLED: (),
}
# The column holding the moment an order entered each status.
STATUS_DATES: dict[str, str] = {
    OrderStatus.CONFIRMED: "confirmed_at",
    OrderStatus.FULFILLED: "fulfilled_at",
    OrderStatus.INVOICED: "invoiced_at",
    OrderStatus.PAID: "paid_at",
    OrderStatus.CANCELLED: "cancelled_at",
}
CREATE_FIELDS = (
    "company", "contact", "deal", "owner", "currency", "ordered_on", "discount_percent", "notes", "custom", "lines",
)  # fmt: skip
UPDATABLE_FIELDS = (
    "company",
    "contact",
    "deal",
    "owner",
    "currency",
    "ordered_on",
    "discount_percent",
    "notes",
    "custom",
)
# Changing these changes the amounts: only while the order is confirmed.
PRICING_FIELDS = ("currency", "discount_percent")
LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent", "tax_rate")


def next_order_number(year: int) -> str:
    """O-<year>-<0001…>: the next number of the year. Call inside the transaction that saves the order:
    a transaction-scoped advisory lock (per schema) serializes concurrent creators until it commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{getattr(connection, 'schema_name', '')}:sales.order-number"],
        )
    prefix = f"O-{year}-"
    last = (
        Order.objects.filter(number__startswith=prefix, number__regex=r"^O-\d{4}-\d+$")
        .annotate(sequence=Cast(Substr("number", len(prefix) + 1), IntegerField()))
        .aggregate(last=Max("sequence"))["last"]
    )
    return f"{prefix}{(last or 0) + 1:04d}"


def _links(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "company_id": order.company_id,
        "contact_id": order.contact_id,
        "deal_id": order.deal_id,
    }


def _timeline(order: Order, by: User | None, action: str, **extra: Any) -> None:
    data: dict[str, Any] = {
        "action": action,
        "order": order.pk,
        "number": order.number,
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        **extra,
    }
    record_entry(TimelineKind.ORDER, actor=by, data=data, **_links(order))


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite():
        errors[field] = [_("Enter a number.")]
        return None
    return number


def line_values(currency: str, raw: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """A line's values from ``raw``: a product fills the description, price (in ``currency``) and tax
    rate left empty. Raises field errors named ``<prefix><field>``."""
    unknown = sorted(set(raw) - set(LINE_FIELDS))
    if unknown:
        raise ValidationError({f"{prefix}{name}": [_("This field cannot be set here.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    product = raw.get("product")
    if product is not None and not isinstance(product, Product):
        errors["product"] = [_("Choose a product of the catalogue.")]
        product = None
    description = str(raw.get("description") or "")
    quantity = _decimal(raw.get("quantity", Decimal("1")), "quantity", errors)
    unit_price = _decimal(raw.get("unit_price"), "unit_price", errors)
    discount_percent = _decimal(raw.get("discount_percent"), "discount_percent", errors)
    tax_rate = _decimal(raw.get("tax_rate"), "tax_rate", errors)
    if product is not None:
        if unit_price is None and "unit_price" not in errors:
            try:
                unit_price = list_price(product, currency=currency, price_list=None)
            except ValidationError as error:
                errors.update(error.message_dict)
        tax_rate = product.tax_rate if tax_rate is None and "tax_rate" not in errors else tax_rate
        description = description.strip() or product.name
    if "quantity" not in errors and (quantity is None or quantity <= 0):
        errors["quantity"] = [_("The quantity must be more than zero.")]
    if "unit_price" not in errors:
        if unit_price is None and "product" not in errors:
            errors["unit_price"] = [_("Enter a unit price or choose a product.")]
        elif unit_price is not None and unit_price < 0:
            errors["unit_price"] = [_("The unit price cannot be negative.")]
    for name, value in (("discount_percent", discount_percent), ("tax_rate", tax_rate)):
        if value is not None and not Decimal(0) <= value <= HUNDRED:
            errors[name] = [_("Enter a percentage between 0 and 100.")]
    if not description.strip():
        errors["description"] = [_("Describe the line or choose a product.")]
    if errors:
        raise ValidationError({f"{prefix}{name}": messages for name, messages in errors.items()})
    return {
        "product": product,
        "description": description.strip(),
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_percent": discount_percent or Decimal("0"),
        "tax_rate": tax_rate or Decimal("0"),
    }


def _validated_line(line: OrderLine, prefix: str = "") -> OrderLine:
    try:
        validated(line, exclude=["order", "product"])
    except ValidationError as error:
        raise ValidationError({f"{prefix}{name}": messages for name, messages in error.message_dict.items()}) from error
    return line


def new_line(currency: str, raw: Mapping[str, Any], *, prefix: str = "", position: int = 0) -> OrderLine:
    """An unsaved line of an order in ``currency`` from ``raw`` (see ``line_values``), validated as
    saved lines are; errors are named ``<prefix><field>``."""
    return _validated_line(OrderLine(position=position, **line_values(currency, raw, prefix=prefix)), prefix=prefix)


def _recompute(order: Order, lines: Iterable[OrderLine] | None = None) -> None:
    """Store the totals of ``order`` (and each line's net) from its lines."""
    lines = list(order.lines.all() if lines is None else lines)
    totals = compute_totals(lines, order.discount_percent)
    for line, amounts in zip(lines, totals.lines, strict=True):
        if line.net_amount != amounts.net:
            line.net_amount = amounts.net
            line.save(update_fields=["net_amount"])
    order.subtotal, order.discount_total = totals.subtotal, totals.discount_total
    order.tax_total, order.total = totals.tax_total, totals.total
    order.save(update_fields=["subtotal", "discount_total", "tax_total", "total", "updated_at"])


def _check_customer(order: Order) -> None:
    if order.company_id is None and order.contact_id is None:
        raise ValidationError({"company": [_("An order is for a company or a contact.")]})


def create_order(*, by: User | None, lines: Iterable[Mapping[str, Any]] = (), **values: Any) -> Order:
    """A confirmed order for a company and/or contact, with ``lines`` (dicts of product, description,
    quantity, unit_price, discount_percent, tax_rate); errors on lines are named ``lines.<n>.<field>``.
    All or nothing."""
    check_fields(Order, values, CREATE_FIELDS)
    values.setdefault("owner", by)
    values.setdefault("currency", base_currency())
    if values.get("ordered_on") is None:
        values["ordered_on"] = timezone.localdate()
    if values.get("discount_percent") is None:
        values["discount_percent"] = Decimal("0")
    values["custom"] = new_custom_values(Order, values.get("custom"))
    order = Order(created_by=by, status=OrderStatus.CONFIRMED, number="-", **values)
    _check_customer(order)
    validated(order, exclude=["number"])
    line_rows = [
        new_line(order.currency, raw, prefix=f"lines.{index}.", position=index + 1) for index, raw in enumerate(lines)
    ]
    return _save_new(order, line_rows, by=by)


def _save_new(
    order: Order, line_rows: list[OrderLine], *, by: User | None, event: dict[str, Any] | None = None
) -> Order:
    with transaction.atomic():
        order.number = next_order_number(order.ordered_on.year)
        order.confirmed_at = timezone.now()
        order.save()
        for line in line_rows:
            line.order = order
        OrderLine.objects.bulk_create(line_rows)
        _recompute(order, line_rows)
        _timeline(order, by, "created", **({"quote_number": order.quote.number} if order.quote else {}))
        record_event(
            "created", order, by=by,
            data={"number": order.number, "total": str(order.total), "currency": order.currency, **(event or {})},
        )  # fmt: skip
    return order


def create_order_from_quote(quote: Quote, *, by: User | None) -> Order:
    """The order of an accepted quote: its customer, deal, owner, currency, discount and lines.

    Only an accepted quote makes an order (an error on ``quote`` otherwise). A quote makes one order:
    calling again returns the order it already made, so a repeated acceptance cannot double it."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        existing = Order.objects.filter(quote=quote).first()
        if existing is not None:
            return existing
        if quote.status != QuoteStatus.ACCEPTED:
            raise ValidationError({"quote": [_("Only an accepted quote becomes an order.")]})
        order = Order(
            quote=quote,
            company_id=quote.company_id,
            contact_id=quote.contact_id,
            deal_id=quote.deal_id,
            owner_id=quote.owner_id or (by.pk if by else None),
            currency=quote.currency,
            discount_percent=quote.discount_percent,
            ordered_on=timezone.localdate(),
            notes=quote.notes,
            custom=new_custom_values(Order, None),
            created_by=by,
            status=OrderStatus.CONFIRMED,
            number="-",
        )
        _check_customer(order)
        validated(order, exclude=["number"])
        line_rows = [
            OrderLine(
                position=line.position, product_id=line.product_id, description=line.description,
                quantity=line.quantity, unit_price=line.unit_price, discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
            )
            for line in quote.lines.order_by("position", "id")
        ]  # fmt: skip
        return _save_new(order, line_rows, by=by, event={"quote_id": quote.pk, "quote_number": quote.number})


def _check_editable(order: Order, field: str = "lines") -> None:
    if not order.is_editable:
        raise ValidationError({field: [_("Only a confirmed order can change its lines, currency or discount.")]})


def update_order(order: Order, *, by: User | None, **values: Any) -> Order:
    """Change an order's customer, deal, owner, date, notes or custom fields (and, while confirmed,
    currency and discount; totals follow)."""
    check_fields(Order, values, UPDATABLE_FIELDS)
    custom = values.pop("custom", None)
    changes = field_changes(order, values)
    for name in PRICING_FIELDS:
        if any(change["field"] == name for change in changes):
            _check_editable(order, name)
    with transaction.atomic():
        for name, value in values.items():
            setattr(order, name, value)
        if custom is not None:
            changes.extend(_custom_changes(order, custom))
        if not changes:
            return order
        _check_customer(order)
        validated(order)
        order.save()
        if any(change["field"] in PRICING_FIELDS for change in changes):
            _recompute(order)
        _timeline(order, by, "updated", changes=changes)
        record_event("updated", order, by=by, data={"changes": changes})
    return order


def set_order_status(order: Order, status: str, *, by: User | None) -> Order:
    """Move an order along ``TRANSITIONS``, stamping when it entered the new status."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if status not in TRANSITIONS.get(order.status, ()):
            new = OrderStatus(status).label if status in OrderStatus.values else status
            raise ValidationError(
                {
                    "status": [
                        _("A %(current)s order cannot become %(new)s.")
                        % {"current": OrderStatus(order.status).label, "new": new}
                    ]
                }
            )
        if status != OrderStatus.CANCELLED and not order.lines.exists():
            raise ValidationError({"status": [_("Add at least one line first.")]})
        previous = order.status
        order.status = status
        setattr(order, STATUS_DATES[status], timezone.now())
        order.save(update_fields=["status", STATUS_DATES[status], "updated_at"])
        _timeline(order, by, "status", previous_status=previous)
        record_event("status_changed", order, by=by, data={"from_status": previous, "to_status": status})
    return order


def _lines_changed(order: Order, by: User | None, action: str, line: OrderLine, old_total: Decimal) -> None:
    _timeline(order, by, action, line=line.description)
    change = {"field": "total", "label": str(_("total")), "old": str(old_total), "new": str(order.total)}
    record_event("updated", order, by=by, data={"changes": [change], "line": line.description})


def add_order_line(order: Order, *, by: User | None, **raw: Any) -> OrderLine:
    """Add a line to a confirmed order; totals follow. Nothing is written when any value is wrong."""
    _check_editable(order)
    values = line_values(order.currency, raw)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _check_editable(order)
        position = (order.lines.aggregate(last=Max("position"))["last"] or 0) + 1
        line = _validated_line(OrderLine(order=order, position=position, **values))
        line.save()
        old_total = order.total
        _recompute(order)
        _lines_changed(order, by, "line_added", line, old_total)
    return line


def update_order_line(line: OrderLine, *, by: User | None, **raw: Any) -> OrderLine:
    """Change a line of a confirmed order (the values not given keep theirs)."""
    order = line.order
    _check_editable(order)
    current = {name: getattr(line, name) for name in LINE_FIELDS}
    values = line_values(order.currency, {**current, **raw})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _check_editable(order)
        for name, value in values.items():
            setattr(line, name, value)
        _validated_line(line)
        line.save()
        old_total = order.total
        _recompute(order)
        _lines_changed(order, by, "line_changed", line, old_total)
    return line


def remove_order_line(line: OrderLine, *, by: User | None) -> None:
    order = line.order
    _check_editable(order)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _check_editable(order)
        line.delete()
        old_total = order.total
        _recompute(order)
        _lines_changed(order, by, "line_removed", line, old_total)


def delete_order(order: Order, *, by: User | None) -> None:
    """Delete an order and its lines; the timelines keep the entry saying it was deleted."""
    with transaction.atomic():
        _timeline(order, by, "deleted")
        record_event("deleted", order, by=by, data={"number": order.number})
        order.delete()
