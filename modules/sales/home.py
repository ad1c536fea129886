"""What sales puts on the home page: open deals by stage with totals in the base currency, deals
rotting in their stage, the onboarding steps "shape the pipeline" and "create a first deal", and
deals and leads among the recent records."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.contacts.models import SampleRecord
from modules.contacts.services.money import RateTable, base_currency
from modules.home.cards import first_rows, scoped
from modules.home.registry import (
    ChecklistItem,
    HomeCard,
    RecentKind,
    register_card,
    register_checklist_item,
    register_recent_kind,
)
from modules.home.scope import Scope
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, Stage
from modules.sales.selectors.deals import stale_deals, visible_deals, visible_leads
from modules.sales.services.pipelines import pipelines_as_seeded

ROTTING_LIMIT = 8


@dataclass
class StageTotal:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)  # currency → amount without a rate
    percent: int = 0


def deals_by_stage(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any]:
    """Open deals per stage (count, amount in the base currency at today's rate): three queries
    however many deals — the groups, their stages and the rate table."""
    groups = list(
        scoped(visible_deals, user, scope, status=DealStatus.OPEN)
        .values("stage_id", "currency")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    rows: dict[int, StageTotal] = {}
    if groups:
        stages = Stage.objects.filter(pk__in={g["stage_id"] for g in groups}).select_related("pipeline")
        rows = {stage.pk: StageTotal(stage) for stage in stages}
        rates, today = RateTable(), timezone.localdate()
        for group in groups:
            row = rows[group["stage_id"]]
            row.count += group["count"]
            converted = rates.to_base(group["amount"] or Decimal(0), group["currency"], today)
            if converted is None:
                row.unconverted[group["currency"]] = row.unconverted.get(group["currency"], 0) + group["amount"]
            else:
                row.total += converted
    ordered = sorted(rows.values(), key=lambda r: (r.stage.pipeline.position, r.stage.pipeline_id, r.stage.position))
    largest = max((row.total for row in ordered), default=Decimal(0))
    for row in ordered:
        row.percent = int(row.total * 100 / largest) if largest else 0
    return {
        "stages": ordered,
        "count": sum(row.count for row in ordered),
        "total": sum((row.total for row in ordered), Decimal(0)),
        "base_currency": base_currency(),
        "pipelines": len({row.stage.pipeline_id for row in ordered}),
        "any_unconverted": any(row.unconverted for row in ordered),
        "header_link": reverse("sales:board"),
        "header_label": _("Pipeline"),
    }


def rotting_deals(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any]:
    """Open deals idle (no stage move, no activity) at least as long as their stage allows."""
    deals = stale_deals(scoped(visible_deals, user, scope, status=DealStatus.OPEN))
    rows, total = first_rows(deals.select_related("stage", "owner", "company"), ROTTING_LIMIT, "idle_since", "id")
    now = timezone.now()
    for deal in rows:
        deal.idle_days = max((now - deal.idle_since).days, 0)  # type: ignore[attr-defined]
    return {
        "deals": rows,
        "total": total,
        "show_owner": scope.is_team,
        "header_link": reverse("sales:deal-list") + "?status=open",
        "header_label": _("All open deals"),
    }


def _pipeline_shaped() -> bool:
    locale = getattr(getattr(connection, "tenant", None), "locale", "en") or "en"
    return not pipelines_as_seeded(locale)


def _first_deal() -> bool:
    sample = SampleRecord.objects.filter(model="sales.Deal").values("object_id")
    return Deal.objects.exclude(pk__in=sample).exists()


def register() -> None:
    register_card(
        HomeCard(
            key="deals-by-stage",
            title=_("Open deals by stage"),
            template="sales/home/deals_by_stage.html",
            context=deals_by_stage,
            module="sales",
            order=20,
        )
    )
    register_card(
        HomeCard(
            key="rotting-deals",
            title=_("Deals going stale"),
            template="sales/home/rotting_deals.html",
            context=rotting_deals,
            module="sales",
            order=30,
        )
    )
    register_checklist_item(
        ChecklistItem(
            key="shape-pipeline",
            title=_("Shape your pipeline"),
            description=_("Name the stages your deals go through, their probabilities and when a deal goes stale."),
            url_name="pipelines-admin:list",
            done=_pipeline_shaped,
            module="sales",
            order=30,
        )
    )
    register_checklist_item(
        ChecklistItem(
            key="first-deal",
            title=_("Create your first deal"),
            description=_("Put an opportunity on the board and plan its next step."),
            url_name="sales:deal-create",
            done=_first_deal,
            module="sales",
            order=40,
        )
    )
    register_recent_kind(
        RecentKind(
            key="deal",
            model="sales.Deal",
            label=_("Deal"),
            url_name="sales:deal-detail",
            icon="briefcase",
            visible=visible_deals,
            module="sales",
        )
    )
    register_recent_kind(
        RecentKind(
            key="lead",
            model="sales.Lead",
            label=_("Lead"),
            url_name="sales:lead-detail",
            icon="person-plus",
            visible=visible_leads,
            module="sales",
        )
    )
