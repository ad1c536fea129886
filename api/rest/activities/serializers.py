"""REST representations of activities; saves go through the activities services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.entities import ACTIVITY
from api.entities.rest import serializer_fields
from api.rest.contacts.serializers import company_field, contact_field
from api.rest.custom_fields import CustomValuesField
from api.rest.records import RelatedByIdField, ServiceSerializer, user_field, user_summary
from modules.activities.choices import ActivityKind, Outcome
from modules.activities.models import Activity
from modules.registry import is_enabled
from modules.sales.models import Deal, Lead


def lead_summary(lead: Lead | None) -> dict[str, Any] | None:
    return None if lead is None else {"id": lead.pk, "full_name": lead.full_name, "company_name": lead.company_name}


def deal_summary(deal: Deal | None) -> dict[str, Any] | None:
    return None if deal is None else {"id": deal.pk, "name": deal.name}


def lead_field() -> RelatedByIdField:
    return RelatedByIdField(Lead, lead_summary, owner_field="owner")


def deal_field() -> RelatedByIdField:
    return RelatedByIdField(Deal, deal_summary, owner_field="owner")


class ActivitySerializer(ServiceSerializer):
    entity = ACTIVITY
    assignee = user_field()
    company = company_field()
    contact = contact_field()
    lead = lead_field()
    deal = deal_field()
    completed_by = serializers.SerializerMethodField()
    custom = CustomValuesField()

    class Meta:
        model = Activity
        fields = serializer_fields(ACTIVITY)
        read_only_fields = ACTIVITY.read_only_names

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Leads and deals belong to the sales module: without it, an activity cannot link to them."""
        if not is_enabled(self.context["request"].tenant, "sales"):
            linked = [name for name in ("lead", "deal") if attrs.get(name) is not None]
            if linked:
                raise serializers.ValidationError({name: [_("Object does not exist.")] for name in linked})
        return attrs

    def get_completed_by(self, activity: Activity) -> dict[str, Any] | None:
        return user_summary(activity.completed_by)


class ActivityUpdateSerializer(ActivitySerializer):
    """What ``PATCH /activities/<id>/`` takes: the status changes through ``complete/`` and
    ``cancel/`` only (used to document the request)."""

    class Meta(ActivitySerializer.Meta):
        read_only_fields = [*ACTIVITY.read_only_names, "status"]


class FollowUpSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    subject = serializers.CharField(max_length=255)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = user_field()


class CompleteSerializer(serializers.Serializer[Any]):
    """``POST /activities/<id>/complete/``: the outcome and, optionally, the follow-up to plan."""

    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True, default="")
    outcome_note = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up = FollowUpSerializer(required=False, allow_null=True, default=None)
