"""Bulk writes of leads and deals for imports, with the rules of ``create_lead`` / ``update_lead`` and
``create_deal`` / ``update_deal`` (see ``modules.contacts.services.bulk`` for how planning and
writing work)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.models import join_name
from modules.contacts.services.bulk import BulkKind, BulkPlan, BulkRow, plan_rows
from modules.contacts.services.money import base_currency
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import Deal, DealStageChange, Lead, Pipeline, Stage
from modules.sales.services.deals import DEAL_FIELDS, UPDATABLE_FIELDS, _status_for, missing_required_fields
from modules.sales.services.leads import LEAD_FIELDS
from modules.sales.services.leads import _require_a_name as require_lead_name
from modules.sales.services.pipelines import default_pipeline, first_open_stage


def full_name(lead: Lead) -> None:
    lead.full_name = join_name(lead.first_name, lead.last_name)


def _lead_check(lead: Lead, creating: bool) -> None:
    full_name(lead)
    if lead.status == LeadStatus.CONVERTED:
        message = (
            _("A lead becomes converted by converting it.") if creating else _("A converted lead cannot be changed.")
        )
        raise ValidationError({"status": [message]})
    require_lead_name(lead)


LEADS = BulkKind(
    model=Lead,
    creatable=LEAD_FIELDS,
    updatable=LEAD_FIELDS,
    relations=("owner",),
    links=lambda lead: {"lead": lead},
    check=_lead_check,
    derive=full_name,
    derived=("full_name",),
)


def plan_leads(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    """Leads to create or update; a converted lead is never changed (as ``update_lead``)."""
    rows = list(rows)
    converted = {
        row.number
        for row in rows
        if isinstance(row.match, Lead) and row.match.status == LeadStatus.CONVERTED and row.values
    }
    plan = plan_rows(LEADS, [row for row in rows if row.number not in converted], by=by)
    for number in converted:
        plan.errors[number] = {"status": [_("A converted lead cannot be changed.")]}
    return plan


class _DealRules:
    """Pipeline and stage defaults resolved once per batch, not once per row."""

    def __init__(self) -> None:
        self.default: Pipeline | None = default_pipeline()
        self.first_stages: dict[int, Stage] = {}

    def first_stage(self, pipeline: Pipeline) -> Stage:
        if pipeline.pk not in self.first_stages:
            self.first_stages[pipeline.pk] = first_open_stage(pipeline)
        return self.first_stages[pipeline.pk]

    def fill(self, values: dict[str, Any]) -> None:
        """What ``create_deal`` defaults: currency, pipeline, stage, status."""
        values.setdefault("currency", base_currency())
        stage: Stage | None = values.get("stage")
        pipeline: Pipeline | None = values.get("pipeline") or (stage.pipeline if stage else None) or self.default
        if pipeline is None:
            raise ValidationError({"pipeline": [_("Create a pipeline first.")]})
        stage = stage or self.first_stage(pipeline)
        if stage.pipeline_id != pipeline.pk:
            raise ValidationError({"stage": [_("This stage belongs to another pipeline.")]})
        values.update(pipeline=pipeline, stage=stage, status=_status_for(stage))


def _deal_check(deal: Deal, creating: bool) -> None:
    if creating and deal.status != DealStatus.OPEN:
        deal.closed_at = timezone.now()
    errors = missing_required_fields(deal, deal.stage)
    if errors:
        raise ValidationError(errors)


def _record_stages(deals: list[Deal], by: User | None) -> None:
    DealStageChange.objects.bulk_create(
        DealStageChange(deal=deal, from_stage=None, to_stage=deal.stage, changed_by=by) for deal in deals
    )


DEALS = BulkKind(
    model=Deal,
    creatable=(*DEAL_FIELDS, "status"),
    updatable=UPDATABLE_FIELDS,
    relations=("owner", "company", "contact", "lead", "pipeline", "stage", "lost_reason"),
    links=lambda deal: {"deal": deal, "company": deal.company, "contact": deal.contact},
    check=_deal_check,
    created_data=lambda deal: {"stage_id": deal.stage_id, "stage": deal.stage.name},
    timeline_data=lambda deal: {"stage": deal.stage.name},
    after_create=_record_stages,
    validate_constraints=False,
)


def plan_deals(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    """Deals to create (pipeline, stage and currency defaulted as ``create_deal`` does) or update
    (stage and pipeline change only through stage moves, so rows updating a deal leave them)."""
    rules = _DealRules()
    ready: list[BulkRow] = []
    refused: dict[int, dict[str, list[str]]] = {}
    for row in rows:
        values = dict(row.values)
        if row.match is None:
            try:
                rules.fill(values)
            except ValidationError as error:
                refused[row.number] = error.message_dict
                continue
        else:
            values.pop("pipeline", None)
            values.pop("stage", None)
        ready.append(BulkRow(number=row.number, values=values, match=row.match))
    plan = plan_rows(DEALS, ready, by=by)
    plan.errors.update(refused)
    return plan
