"""Bulk writes of orders for imports, with the rules of ``create_order`` / ``update_order`` (see
``modules.contacts.services.bulk`` for how planning and writing work). An imported order is found
by its number and is confirmed when created. A new order may bring its lines (``values["lines"]``:
one dict per file row, ``row`` its number, the rest as ``create_order`` takes a line), validated in
the order's currency; one bad line refuses the order, with the error on the line's row (the
import's grouping, ``modules.dataio.imports.order_lines``, tells the order's other rows why). The lines
are written after their orders, and the order's totals computed from them before, so its events
and timeline entry carry them. An existing order keeps its lines: an import changes only its
header."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.bulk import BulkKind, BulkPlan, BulkRow, copy_create, error_dict, plan_rows
from modules.contacts.services.money import base_currency
from modules.sales.choices import OrderStatus
from modules.sales.models import Order, OrderLine
from modules.sales.services.orders import new_line
from modules.sales.services.quotes import compute_totals

CREATABLE = (
    "number", "ordered_on", "currency", "discount_percent", "notes", "company", "contact", "owner", "status",
    "confirmed_at", "custom", "subtotal", "discount_total", "tax_total", "total",
)  # fmt: skip
# The line fields a file row may give, as error keys (``line_quantity`` …) on the row's cells.
LINE_PREFIX = "line_"
UPDATABLE = ("ordered_on", "notes", "company", "contact", "owner", "custom")
# Amounts follow from lines: an import does not change them on an existing order.
PRICING = ("currency", "discount_percent")


def _check(order: Order, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    if not (order.number or "").strip():
        errors["number"] = [_("Give the order's number.")]
    if order.company_id is None and order.contact_id is None:
        errors["company"] = [_("An order is for a company or a contact.")]
    if errors:
        raise ValidationError(errors)


def _timeline_data(order: Order) -> dict[str, Any]:
    return {"action": "created", "order": order.pk, "number": order.number, "status": order.status,
            "total": str(order.total), "currency": order.currency}  # fmt: skip


ORDERS = BulkKind(
    model=Order,
    creatable=CREATABLE,
    updatable=UPDATABLE,
    relations=("owner", "company", "contact"),
    links=lambda order: {"company": order.company, "contact": order.contact, "deal": order.deal},
    check=_check,
    created_data=lambda order: {"number": order.number, "total": str(order.total), "currency": order.currency},
    timeline_data=_timeline_data,
    validate_constraints=False,  # the total of a new header is 0; the check would cost a query per row
    timeline_kind=TimelineKind.ORDER,
)


def _differs(name: str, raw: Any, order: Any) -> bool:
    try:
        value = Order._meta.get_field(name).to_python(raw)  # type: ignore[union-attr]
    except ValidationError:
        return True
    return bool(value != getattr(order, name))


def _lines_refused(lines: list[dict[str, Any]]) -> dict[int, dict[str, list[str]]]:
    message = _("An import does not change the lines of an existing order.")
    return {line["row"]: {f"{LINE_PREFIX}{next(iter(_line_fields(line)), 'description')}": [message]} for line in lines}


def _line_fields(line: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in line.items() if name != "row"}


def _plan_lines(order: Order, lines: list[dict[str, Any]]) -> tuple[list[OrderLine], dict[int, dict[str, list[str]]]]:
    """``order``'s lines from the file, in its currency, with its totals set; or each bad line's
    errors by row."""
    planned: list[OrderLine] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for position, line in enumerate(lines, start=1):
        try:
            planned.append(new_line(order.currency, _line_fields(line), prefix=LINE_PREFIX, position=position))
        except ValidationError as error:
            errors[line["row"]] = error_dict(error)
    if errors:
        return [], errors
    totals = compute_totals(planned, order.discount_percent)
    for line_row, amounts in zip(planned, totals.lines, strict=True):
        line_row.net_amount = amounts.net
    order.subtotal, order.discount_total = totals.subtotal, totals.discount_total
    order.tax_total, order.total = totals.tax_total, totals.total
    return planned, {}


def plan_orders(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    """Orders to create (confirmed, today and the base currency unless the file says otherwise),
    with their lines, or update (their number stays; currency, discount and lines only as they are)."""
    ready: list[BulkRow] = []
    refused: dict[int, dict[str, list[str]]] = {}
    numbers: dict[str, int] = {}
    lines_of: dict[int, list[dict[str, Any]]] = {}
    now = timezone.now()
    for row in rows:
        values = dict(row.values)
        lines = list(values.pop("lines", None) or [])
        if row.match is None:
            number = str(values.get("number") or "").strip()
            if number.lower() in numbers:
                message = _("Row %(row)d of this file has this number too.") % {"row": numbers[number.lower()]}
                refused[row.number] = {"number": [message]}
                continue
            if number:
                numbers[number.lower()] = row.number
            values.setdefault("currency", base_currency())
            values["ordered_on"] = values.get("ordered_on") or timezone.localdate()
            if values.get("discount_percent") is None:
                values["discount_percent"] = Decimal("0")
            values.update(status=OrderStatus.CONFIRMED, confirmed_at=now)
            lines_of[row.number] = lines
        else:
            values.pop("number", None)
            errors = {
                name: [_("An import does not change the %(field)s of an existing order.") % {"field": name}]
                for name in PRICING
                if name in values and _differs(name, values[name], row.match)
            }
            if lines:
                refused.update(_lines_refused(lines))
                errors = errors or {"__all__": [_("An import does not change the lines of an existing order.")]}
            if errors:
                refused[row.number] = {**errors, **refused.get(row.number, {})}
                continue
            for name in PRICING:
                values.pop(name, None)
        ready.append(BulkRow(number=row.number, values=values, match=row.match))
    lines_by_order: dict[int, list[OrderLine]] = {}
    plan = plan_rows(
        replace(ORDERS, after_create=lambda orders, by: _write_lines(orders, lines_by_order)), ready, by=by
    )
    for planned in list(plan.planned):
        if not planned.created or not lines_of.get(planned.number):
            continue
        lines, line_errors = _plan_lines(planned.instance, lines_of[planned.number])
        if line_errors:
            plan.planned.remove(planned)
            for row_number, messages in line_errors.items():
                refused[row_number] = {**refused.get(row_number, {}), **messages}
        else:
            lines_by_order[id(planned.instance)] = lines
    plan.errors.update(refused)
    return plan


def _write_lines(orders: list[Order], lines_by_order: dict[int, list[OrderLine]]) -> None:
    """After the orders are written (with their ids): their lines, in one COPY."""
    lines = []
    for order in orders:
        for line in lines_by_order.get(id(order), []):
            line.order = order
            lines.append(line)
    copy_create(OrderLine, lines)
