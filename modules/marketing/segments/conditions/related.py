"""The conditions on a contact's related records: tags, activities, deals, orders and the lead it
was converted from. Each builds an ``Exists`` subquery correlated on the contact, so a rule set
stays one query however many of these it combines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.activities.choices import ActivityKind
from modules.activities.models import Activity
from modules.contacts.choices import Source
from modules.contacts.models import Contact, Tag
from modules.contacts.money import CURRENCY_CHOICES
from modules.marketing.segments.conditions.registry import Param, register_condition
from modules.sales.choices import DealStatus, OrderStatus
from modules.sales.models import Deal, Lead, Order, Stage

DEAL_STATUSES = (DealStatus.OPEN.value, DealStatus.WON.value, DealStatus.LOST.value)


def _tags() -> tuple[tuple[Any, Any], ...]:
    return tuple(Tag.objects.order_by("name").values_list("pk", "name"))


def _stages() -> tuple[tuple[Any, Any], ...]:
    return tuple(
        (pk, f"{pipeline} — {name}")
        for pk, pipeline, name in Stage.objects.order_by("pipeline__name", "position", "pk").values_list(
            "pk", "pipeline__name", "name"
        )
    )


def _ids(values: Any) -> list[int]:
    return [int(value) for value in values]


def _since(days: int) -> Any:
    return timezone.now() - timedelta(days=days)


# --- Tags ----------------------------------------------------------------------------------------


def _tag(cleaned: Mapping[str, Any]) -> Q:
    tagged = Contact.tags.through.objects.filter(contact_id=OuterRef("pk"), tag_id__in=_ids(cleaned["tags"]))
    return ~Q(Exists(tagged)) if cleaned["op"] == "none" else Q(Exists(tagged))


# --- Activities ----------------------------------------------------------------------------------


def _activity(cleaned: Mapping[str, Any]) -> Q:
    """An activity happened when it was done, else when it was due, else when it was logged;
    "in the last N days" means that moment lies between N days ago and now."""
    now = timezone.now()
    activities = (
        Activity.objects.filter(contact_id=OuterRef("pk"))
        .alias(happened_at=Coalesce("completed_at", "due_at", "created_at"))
        .filter(happened_at__gte=_since(cleaned["days"]), happened_at__lte=now)
    )
    if cleaned.get("kind"):
        activities = activities.filter(kind=cleaned["kind"])
    return ~Q(Exists(activities)) if cleaned["op"] == "none" else Q(Exists(activities))


# --- Deals ---------------------------------------------------------------------------------------


def _deal(cleaned: Mapping[str, Any]) -> Q:
    op = cleaned["op"]
    deals = Deal.objects.filter(contact_id=OuterRef("pk"))
    if op == "in_stage":
        return Q(Exists(deals.filter(stage_id=int(cleaned["stage"]))))
    deals = deals.filter(status=op)
    if cleaned.get("amount") is not None:
        deals = deals.filter(amount__gte=Decimal(cleaned["amount"]), currency=cleaned["currency"])
    return Q(Exists(deals))


def _clean_amount_currency(cleaned: dict[str, Any]) -> dict[str, Any]:
    if cleaned.get("amount") is not None and not cleaned.get("currency"):
        raise ValidationError({"currency": [_("Choose the currency of the amount.")]})
    return cleaned


# --- Orders --------------------------------------------------------------------------------------


def _orders() -> Any:
    return Order.objects.filter(contact_id=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)


def _order(cleaned: Mapping[str, Any]) -> Q:
    op = cleaned["op"]
    if op in ("within", "not_within"):
        recent = Q(Exists(_orders().filter(ordered_on__gte=_since(cleaned["days"]).date())))
        return recent if op == "within" else ~recent
    if op in ("total_gte", "total_lt"):
        spent = (
            _orders()
            .filter(currency=cleaned["currency"])
            .values("contact_id")
            .annotate(spent=Sum("total"))
            .filter(spent__gte=Decimal(cleaned["amount"]))
        )
        return Q(Exists(spent)) if op == "total_gte" else ~Q(Exists(spent))
    counted = _orders().values("contact_id").annotate(orders=Count("pk")).filter(orders__gte=cleaned["count"])
    return Q(Exists(counted)) if op == "count_gte" else ~Q(Exists(counted))


def _clean_order(cleaned: dict[str, Any]) -> dict[str, Any]:
    if cleaned["op"] in ("count_gte", "count_lt") and cleaned.get("count", 1) < 1:
        raise ValidationError({"count": [_("Enter at least 1.")]})
    return cleaned


# --- Leads ---------------------------------------------------------------------------------------


def _lead(cleaned: Mapping[str, Any]) -> Q:
    leads = Lead.objects.filter(converted_contact_id=OuterRef("pk"))
    if cleaned["op"] == "source_in":
        leads = leads.filter(source__in=cleaned["sources"])
    return Q(Exists(leads))


def register() -> None:
    currency = Param("currency", gettext_lazy("currency"), "choice", choices=lambda: tuple(CURRENCY_CHOICES))
    register_condition(
        "tag",
        _tag,
        label=gettext_lazy("Tags"),
        ops=(("any", gettext_lazy("has any of")), ("none", gettext_lazy("has none of"))),
        params=(Param("tags", gettext_lazy("tags"), "choices", choices=_tags),),
    )
    register_condition(
        "activity",
        _activity,
        label=gettext_lazy("Activities"),
        ops=(
            ("has", gettext_lazy("has an activity in the last")),
            ("none", gettext_lazy("has no activity in the last")),
        ),
        params=(
            Param("days", gettext_lazy("days"), "days"),
            Param(
                "kind", gettext_lazy("of type"), "choice", choices=lambda: tuple(ActivityKind.choices), optional=True
            ),
        ),
    )
    register_condition(
        "deal",
        _deal,
        label=gettext_lazy("Deals"),
        ops=(
            (DealStatus.OPEN, gettext_lazy("has an open deal")),
            (DealStatus.WON, gettext_lazy("has a won deal")),
            (DealStatus.LOST, gettext_lazy("has a lost deal")),
            ("in_stage", gettext_lazy("has a deal in the stage")),
        ),
        params=(
            Param("amount", gettext_lazy("of at least"), "amount", ops=DEAL_STATUSES, optional=True),
            Param("currency", currency.label, "choice", choices=currency.choices, ops=DEAL_STATUSES, optional=True),
            Param("stage", gettext_lazy("stage"), "choice", choices=_stages, ops=("in_stage",)),
        ),
        clean=_clean_amount_currency,
    )
    register_condition(
        "order",
        _order,
        label=gettext_lazy("Orders"),
        ops=(
            ("within", gettext_lazy("ordered in the last")),
            ("not_within", gettext_lazy("has not ordered in the last")),
            ("total_gte", gettext_lazy("spent in total at least")),
            ("total_lt", gettext_lazy("spent in total less than")),
            ("count_gte", gettext_lazy("ordered at least (times)")),
            ("count_lt", gettext_lazy("ordered fewer than (times)")),
        ),
        params=(
            Param("days", gettext_lazy("days"), "days", ops=("within", "not_within")),
            Param("amount", gettext_lazy("amount"), "amount", ops=("total_gte", "total_lt")),
            Param("currency", currency.label, "choice", choices=currency.choices, ops=("total_gte", "total_lt")),
            Param("count", gettext_lazy("orders"), "count", ops=("count_gte", "count_lt")),
        ),
        clean=_clean_order,
    )
    register_condition(
        "lead",
        _lead,
        label=gettext_lazy("Lead"),
        ops=(
            ("any", gettext_lazy("was converted from a lead")),
            ("source_in", gettext_lazy("was converted from a lead with the source")),
        ),
        params=(
            Param(
                "sources", gettext_lazy("sources"), "choices", choices=lambda: tuple(Source.choices), ops=("source_in",)
            ),
        ),
    )
