"""Bulk writes of orders for imports, with the rules of ``create_order`` / ``update_order`` (see
``modules.contacts.services.bulk`` for how planning and writing work). An imported order is its
header: it is found by its number, is confirmed when created, and gets its lines on its page or
through the API."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.bulk import BulkKind, BulkPlan, BulkRow, plan_rows
from modules.contacts.services.money import base_currency
from modules.sales.choices import OrderStatus
from modules.sales.models import Order

CREATABLE = (
    "number", "ordered_on", "currency", "discount_percent", "notes", "company", "contact", "owner", "status",
    "confirmed_at", "custom",
)  # fmt: skip
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


def plan_orders(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    """Orders to create (confirmed, today and the base currency unless the file says otherwise) or
    update (their number stays; currency and discount only as they are)."""
    ready: list[BulkRow] = []
    refused: dict[int, dict[str, list[str]]] = {}
    numbers: dict[str, int] = {}
    now = timezone.now()
    for row in rows:
        values = dict(row.values)
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
        else:
            values.pop("number", None)
            errors = {
                name: [_("An import does not change the %(field)s of an existing order.") % {"field": name}]
                for name in PRICING
                if name in values and _differs(name, values[name], row.match)
            }
            if errors:
                refused[row.number] = errors
                continue
            for name in PRICING:
                values.pop(name, None)
        ready.append(BulkRow(number=row.number, values=values, match=row.match))
    plan = plan_rows(ORDERS, ready, by=by)
    plan.errors.update(refused)
    return plan
