"""REST endpoints of the service desk's helpers (service module), from ``api.entities.desk``:

- ``/api/v1/assignment-rules/``: the rules that pick the agent of an unassigned case (read with
  ``service.view``, written with ``service.admin``; ``ordering=position`` for the order tried;
  ``POST reorder/`` with ``{"order": [ids…]}`` sets that order);
- ``/api/v1/canned-responses/``: the shared responses and your own. Personal ones are written by
  their owner (``service.change``); shared ones, and turning one into the other, need
  ``service.admin`` (403 otherwise). Writes need the ``service:write`` scope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities.desk import ASSIGNMENT_RULE, CANNED_RESPONSE
from api.entities.rest import ordering_parameter, serializer_fields
from api.rest.records import RecordViewSet, ServiceSerializer, acting_user, user_field
from api.rest.service.sla import ADMIN_WRITES
from api.rest.service.summaries import category_field, team_field
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import MAX_RULES_IN_ORDER, reorder_rules
from modules.service.desk.services.canned import visible_canned_responses

ADMIN = "service.admin"


class AssignmentRuleSerializer(ServiceSerializer):
    entity = ASSIGNMENT_RULE
    category = category_field()
    team = team_field()
    queue = team_field()
    agent = user_field()

    class Meta:
        model = AssignmentRule
        fields = serializer_fields(ASSIGNMENT_RULE)
        read_only_fields = ASSIGNMENT_RULE.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False} for name in ("is_active", "language", "channel", "priority")
        }


class RuleOrderSerializer(serializers.Serializer):  # type: ignore[type-arg]
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=MAX_RULES_IN_ORDER,
        help_text="Every assignment rule's id once, the first tried first.",
    )


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(ASSIGNMENT_RULE)]))
class AssignmentRuleViewSet(RecordViewSet):
    """Assignment rules in id order; the first active one, by position, whose conditions a new
    unassigned case meets picks its agent (round robin, least loaded or a fixed agent).
    ``POST reorder/`` sets the order they are tried in."""

    entity = ASSIGNMENT_RULE
    serializer_class = AssignmentRuleSerializer
    action_permissions: ClassVar[dict[str, str]] = {**ADMIN_WRITES, "reorder": "admin"}

    def get_queryset(self) -> QuerySet[AssignmentRule]:
        return self.base_queryset()

    @extend_schema(request=RuleOrderSerializer, responses=AssignmentRuleSerializer(many=True), filters=False)
    @action(detail=False, methods=["post"], pagination_class=None)  # every rule, in one answer
    def reorder(self, request: Request) -> Response:
        """Try the rules in the order given: ``order`` lists every rule's id once (a missing, repeated
        or unknown id is a 400 naming ``order``). Answers the rules in their new order."""
        serializer = RuleOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            reorder_rules(order=serializer.validated_data["order"], by=acting_user(request))
        rules = self.base_queryset().order_by("position", "id")
        return Response(AssignmentRuleSerializer(rules, many=True, context=self.get_serializer_context()).data)


class CannedResponseSerializer(ServiceSerializer):
    entity = CANNED_RESPONSE
    shared = serializers.BooleanField(source="is_shared", required=False, help_text=CANNED_RESPONSE.described_field(
        "shared").description)  # type: ignore[union-attr]  # fmt: skip
    owner = user_field(read_only=True)
    created_by = user_field(read_only=True)

    class Meta:
        model = CannedResponse
        fields = serializer_fields(CANNED_RESPONSE)
        read_only_fields = CANNED_RESPONSE.read_only_names

    def _may_write(self, shared: bool) -> None:
        if shared and not self._by().has_perm(ADMIN):
            raise exceptions.PermissionDenied(f"Shared canned responses need {ADMIN}.")

    def create(self, validated_data: dict[str, Any]) -> Any:
        shared = validated_data.pop("is_shared", False)
        self._may_write(shared)
        return CANNED_RESPONSE.create(by=self._by(), shared=shared, **validated_data)  # type: ignore[misc]

    def update(self, instance: CannedResponse, validated_data: dict[str, Any]) -> Any:
        shared = validated_data.pop("is_shared", None)
        self._may_write(instance.is_shared or bool(shared))
        return CANNED_RESPONSE.update(instance, by=self._by(), shared=shared, **validated_data)  # type: ignore[misc]


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(CANNED_RESPONSE)]))
class CannedResponseViewSet(RecordViewSet):
    """The shared canned responses and your own, in id order (``?shared=true`` for the shared ones,
    ``?search=`` part of a title)."""

    entity = CANNED_RESPONSE
    serializer_class = CannedResponseSerializer

    def get_queryset(self) -> QuerySet[CannedResponse]:
        return self.base_queryset().filter(pk__in=visible_canned_responses(acting_user(self.request)).values("pk"))

    def perform_destroy(self, instance: CannedResponse) -> None:
        if instance.is_shared and not acting_user(self.request).has_perm(ADMIN):
            raise exceptions.PermissionDenied(f"Shared canned responses need {ADMIN}.")
        super().perform_destroy(instance)
