"""Plans and their price grids, as the operator edits them in the console.

A plan's modules reach its subscribers at once: when they change, every subscription on the plan
has its entitlements applied again (``Tenant.enabled_modules``). Limits need no such step, as
``billing.entitlements`` reads them from the plan. A plan with subscriptions (or history) is never
deleted; it is made inactive instead. Every change is in the operator's audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from billing.choices import Currency, Interval
from billing.entitlements import LIMIT_KEYS, apply_entitlements
from billing.models import Plan, PlanPrice, Subscription, SubscriptionChange
from identity.models import AuditEntry
from identity.services.audit import record_audit

MAX_INTEGER = 2_147_483_647
MAX_TRIAL_DAYS = 365
MAX_SORT_ORDER = 32_767
TEXT_FIELDS = {"key": 40, "name": 100}
FLAG_FIELDS = ("trial_requires_card", "is_public", "is_active")
PLAN_FIELDS = (
    "key",
    "name",
    "description",
    "modules",
    *LIMIT_KEYS,
    "trial_days",
    *FLAG_FIELDS,
    "sort_order",
)


@dataclass(frozen=True)
class PriceCell:
    """One cell of a plan's price grid: the seat price in minor units, or None for "not offered"."""

    seat_amount: int | None
    stripe_price_id: str = ""


# currency → interval → cell; a cell left out of the grid keeps its current price.
PriceGrid = Mapping[str, Mapping[str, PriceCell]]


def price_field(currency: str, interval: str) -> str:
    """The name a price grid cell's errors are reported under."""
    return f"prices[{currency}][{interval}]"


def save_plan(plan: Plan | None, data: Mapping[str, Any], prices: PriceGrid | None, *, actor: str) -> Plan:
    """Create a plan (``plan`` None) or change one, with its price grid, atomically.

    ``data`` holds fields of ``PLAN_FIELDS`` (a new plan needs ``key`` and ``name``; fields left
    out keep their value). Raises a ValidationError naming each bad field; nothing is written then.
    """
    creating = plan is None
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        target = Plan() if plan is None else Plan.objects.select_for_update().get(pk=plan.pk)
        before = {} if creating else _plan_values(target)
        values = _clean_plan_values(target, data, creating=creating, errors=errors)
        if creating and values.get("key") and Plan.objects.filter(key=values["key"]).exists():
            errors.setdefault("key", []).append(_("Another plan has this key."))
        current = {} if creating else {(price.currency, price.interval): price for price in target.prices.all()}
        cells = _clean_prices(target, prices or {}, current, errors)
        if creating and not any(cell.seat_amount is not None for cell in cells.values()):
            errors.setdefault("prices", []).append(_("A plan needs at least one price."))
        if errors:
            raise ValidationError(errors)
        for field, value in values.items():
            setattr(target, field, value)
        target.save()
        price_changes = _write_prices(target, cells, current)
        after = _plan_values(target)
        changed = {field: [before.get(field), after[field]] for field in after if before.get(field) != after[field]}
        if not creating and changed.keys() & {"modules", *LIMIT_KEYS}:
            _apply_to_subscribers(target)
        if creating or changed or price_changes:
            record_audit(
                "billing.plan_created" if creating else "billing.plan_updated",
                (_("Plan %(name)s created.") if creating else _("Plan %(name)s changed.")) % {"name": target.name},
                actor=actor,
                actor_kind=AuditEntry.ActorKind.OPERATOR,
                target=f"plan:{target.key}",
                details={"changed": {} if creating else changed, "prices": price_changes},
            )
    return target


def update_plan(plan: Plan, data: Mapping[str, Any], *, actor: str) -> Plan:
    """Change some of a plan's fields, leaving its prices as they are."""
    return save_plan(plan, data, None, actor=actor)


def save_plan_prices(plan: Plan, prices: PriceGrid, *, actor: str) -> Plan:
    """Change cells of a plan's price grid (None removes a price no subscription uses)."""
    return save_plan(plan, {}, prices, actor=actor)


def delete_plan(plan: Plan, *, actor: str) -> None:
    """Delete a plan nobody ever subscribed to; otherwise a ValidationError (deactivate it instead)."""
    with transaction.atomic():
        if Subscription.objects.filter(plan=plan).exists() or SubscriptionChange.objects.filter(plan=plan).exists():
            raise ValidationError(
                {"plan": [_("%(name)s has subscriptions: make it inactive instead.") % {"name": plan.name}]}
            )
        key, name = plan.key, plan.name
        plan.delete()
        record_audit(
            "billing.plan_deleted",
            _("Plan %(name)s deleted.") % {"name": name},
            actor=actor,
            actor_kind=AuditEntry.ActorKind.OPERATOR,
            target=f"plan:{key}",
        )


def _plan_values(plan: Plan) -> dict[str, Any]:
    return {field: getattr(plan, field) for field in PLAN_FIELDS}


def _clean_plan_values(
    plan: Plan, data: Mapping[str, Any], *, creating: bool, errors: dict[str, list[str]]
) -> dict[str, Any]:
    from modules.registry import OPTIONAL_MODULE_KEYS

    values: dict[str, Any] = {}
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        errors.setdefault(sorted(unknown)[0], []).append(_("Plans have no such field."))
    for field, length in TEXT_FIELDS.items():
        if field not in data and not creating:
            continue
        text = str(data.get(field) or "").strip()
        if not text:
            errors.setdefault(field, []).append(_("This field is required."))
        elif len(text) > length:
            errors.setdefault(field, []).append(_("At most %(count)d characters.") % {"count": length})
        values[field] = text
    if values.get("key"):
        try:
            validate_slug(values["key"])
        except ValidationError:
            errors.setdefault("key", []).append(_("Use letters, digits, hyphens and underscores only."))
        if not creating and values["key"] != plan.key:
            errors.setdefault("key", []).append(_("A plan's key cannot change: subscriptions and links use it."))
    if "description" in data:
        values["description"] = str(data["description"] or "").strip()
    if "modules" in data:
        modules = list(data["modules"] or [])
        bad = [str(key) for key in modules if key not in OPTIONAL_MODULE_KEYS]
        if bad:
            errors.setdefault("modules", []).append(
                _("Unknown or always-on modules: %(keys)s.") % {"keys": ", ".join(bad)}
            )
        values["modules"] = [key for key in OPTIONAL_MODULE_KEYS if key in set(modules)]
    for field in LIMIT_KEYS:
        if field in data:
            values[field] = _number(data[field], field, errors, minimum=1 if field == "seat_limit" else 0)
    if "trial_days" in data:
        values["trial_days"] = _number(data["trial_days"], "trial_days", errors, maximum=MAX_TRIAL_DAYS, empty=0)
    if "sort_order" in data:
        values["sort_order"] = _number(data["sort_order"], "sort_order", errors, maximum=MAX_SORT_ORDER, empty=0)
    for field in FLAG_FIELDS:
        if field in data:
            values[field] = bool(data[field])
    return values


def _number(
    value: Any,
    field: str,
    errors: dict[str, list[str]],
    *,
    minimum: int = 0,
    maximum: int = MAX_INTEGER,
    empty: int | None = None,
) -> int | None:
    """An integer in [minimum, maximum]; None (or ``empty``) for an empty value."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            errors.setdefault(field, []).append(_("Enter a whole number."))
            return None
    if not minimum <= value <= maximum:
        errors.setdefault(field, []).append(
            _("Enter a number from %(minimum)d to %(maximum)d.") % {"minimum": minimum, "maximum": maximum}
        )
        return None
    return int(value)


def _clean_prices(
    plan: Plan, prices: PriceGrid, current: dict[tuple[str, str], PlanPrice], errors: dict[str, list[str]]
) -> dict[tuple[str, str], PriceCell]:
    cells: dict[tuple[str, str], PriceCell] = {}
    stripe_ids: set[str] = set()
    for currency, row in prices.items():
        for interval, cell in row.items():
            field = price_field(currency, interval)
            if currency not in Currency.values or interval not in Interval.values:
                errors.setdefault(field, []).append(_("Plans are not priced in this currency or interval."))
                continue
            problem = _price_problem(plan, currency, interval, cell, current)
            stripe_id = cell.stripe_price_id.strip()
            if not problem and stripe_id in stripe_ids:
                problem = _("Another price uses this Stripe price.")
            if stripe_id:
                stripe_ids.add(stripe_id)
            if problem:
                errors.setdefault(field, []).append(problem)
            else:
                cells[(currency, interval)] = cell
    return cells


def _price_problem(
    plan: Plan, currency: str, interval: str, cell: PriceCell, current: dict[tuple[str, str], PlanPrice]
) -> str | None:
    amount, stripe_id = cell.seat_amount, cell.stripe_price_id.strip()
    if amount is None:
        if stripe_id:
            return _("A Stripe price needs a seat price.")
        if (currency, interval) in current and plan.pk and _price_in_use(plan, currency, interval):
            return _("Subscriptions pay this price: it cannot be removed.")
        return None
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_INTEGER:
        return _("Enter a price of zero or more.")
    if stripe_id:
        if not stripe_id.startswith("price_") or len(stripe_id) > 100:
            return _("A Stripe price id looks like price_1AbC….")
        other = PlanPrice.objects.filter(stripe_price_id=stripe_id)
        existing = current.get((currency, interval))
        if existing is not None:
            other = other.exclude(pk=existing.pk)
        if other.exists():
            return _("Another price uses this Stripe price.")
    return None


def _price_in_use(plan: Plan, currency: str, interval: str) -> bool:
    return Subscription.objects.filter(plan=plan, currency=currency, interval=interval).exists()


def _write_prices(
    plan: Plan, cells: dict[tuple[str, str], PriceCell], current: dict[tuple[str, str], PlanPrice]
) -> dict[str, list[Any]]:
    """Apply the grid; returns what changed by cell name, [before, after] as (amount, stripe id)."""
    changes: dict[str, list[Any]] = {}
    for (currency, interval), cell in sorted(cells.items()):
        existing = current.get((currency, interval))
        before = None if existing is None else [existing.seat_amount, existing.stripe_price_id]
        stripe_id = cell.stripe_price_id.strip()
        after = None if cell.seat_amount is None else [cell.seat_amount, stripe_id]
        if before == after:
            continue
        changes[price_field(currency, interval)] = [before, after]
        amount = cell.seat_amount
        if amount is None:
            if existing is not None:
                existing.delete()
        elif existing is not None:
            existing.seat_amount = amount
            existing.stripe_price_id = stripe_id
            existing.save(update_fields=["seat_amount", "stripe_price_id"])
        else:
            PlanPrice.objects.create(
                plan=plan, currency=currency, interval=interval, seat_amount=amount, stripe_price_id=stripe_id
            )
    return changes


def _apply_to_subscribers(plan: Plan) -> None:
    """Give every tenant on the plan its new module set and limits now."""
    for subscription in Subscription.objects.filter(plan=plan).select_related("plan", "tenant"):
        apply_entitlements(subscription)
