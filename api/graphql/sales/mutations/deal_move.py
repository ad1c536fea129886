from __future__ import annotations

from typing import Any

import graphene

from api.entities import DEAL
from api.graphql.core import RecordMutation, error_type, global_id_to_pk, reloaded, resolve_reference
from api.graphql.sales.types import DealType, LostReasonType, StageType
from identity.models import User
from modules.sales.models import Stage
from modules.sales.services.deals import move_deal_to_stage


class DealMove(RecordMutation):
    """Move a deal into a stage of its pipeline or another. The stage's required fields must be
    filled (REQUIRED errors name them); a lost stage needs a ``lostReason`` when the tenant has any."""

    class Arguments:
        id = graphene.ID(required=True)
        stage = graphene.ID(required=True)
        lost_reason = graphene.ID(description="A LostReason id, for a lost stage.")
        lost_note = graphene.String()

    deal = graphene.Field(DealType)
    errors = graphene.List(graphene.NonNull(error_type("DealMove")), required=True)

    module = DEAL.module
    permission = DEAL.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        deal = resolve_reference(info, data["id"], DealType, "id")
        stage = resolve_reference(info, data["stage"], StageType, "stage")
        lost_reason = resolve_reference(info, data.get("lost_reason"), LostReasonType, "lost_reason")
        moved = move_deal_to_stage(deal, stage, by=user, lost_reason=lost_reason, lost_note=data.get("lost_note") or "")
        return {"deal": reloaded(DealType, info, moved)}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        pk = global_id_to_pk(data.get("stage"), "Stage")
        stage = Stage.objects.filter(pk=pk).first() if pk is not None else None
        return frozenset([*(stage.required_fields if stage else []), "lost_reason"])
