"""REST endpoints of lead scoring (marketing module), from ``api.entities.scoring``:

- ``/api/v1/scoring-rules/``: fit and behaviour rules, checked as the scoring page checks them (a
  fit rule is compiled to SQL before it saves); ``/api/v1/score-thresholds/``: named scores (create
  and delete). Both read with ``marketing.view`` and write with ``marketing.admin``.
- ``/api/v1/lead-scores/``: the scores of the contacts and leads you can see (``?contact=<id>``,
  ``?lead=<id>``, ``ordering=-total``); one score's detail says why it is what it is: the fit rules
  the record meets now and its latest behaviour points (the ledger).
Scores change as rules are saved and records change (``Recalculate all`` on the page reprices
every score); they are never written through the API.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities.links import api_access
from api.entities.rest import ordering_parameter, serializer_fields
from api.entities.scoring import LEAD_SCORE, SCORE_THRESHOLD, SCORING_RULE
from api.rest.marketing.consent import ADMIN_WRITES, MarketingListViewSet, SparseFieldsMixin
from api.rest.records import RecordViewSet, ServiceSerializer, acting_user, user_field
from modules.contacts.models import Contact
from modules.marketing.scoring.models import Score, ScoreEvent, ScoreThreshold, ScoringRule
from modules.marketing.scoring.selectors import breakdown, visible_scores
from modules.sales.models import Lead


class ScoringRuleSerializer(ServiceSerializer):
    entity = SCORING_RULE
    created_by = user_field(read_only=True)

    class Meta:
        model = ScoringRule
        fields = serializer_fields(SCORING_RULE)
        read_only_fields = SCORING_RULE.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False}
            for name in (
                "active", "entity", "field", "operator", "value", "event_type", "cap_points", "cap_days", "decay",
                "decay_percent", "decay_days",
            )
        }  # fmt: skip

    def create(self, validated_data: dict[str, Any]) -> Any:
        return SCORING_RULE.create(by=self._by(), **validated_data)  # type: ignore[misc]

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return SCORING_RULE.update(instance, by=self._by(), **validated_data)  # type: ignore[misc]


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(SCORING_RULE)]))
class ScoringRuleViewSet(RecordViewSet):
    """Scoring rules in id order (``?kind=``, ``?active=``, ``?event_type=``). POST and PATCH (one
    rule, or up to 500 through ``bulk/``) are checked like the page (errors name the field); DELETE
    removes the rule and the behaviour points it gave. Scores follow as records change or after
    "Recalculate all"."""

    entity = SCORING_RULE
    serializer_class = ScoringRuleSerializer
    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES

    def get_queryset(self) -> QuerySet[ScoringRule]:
        return self.base_queryset()  # rules are settings: every marketer reads every one


class ScoreThresholdSerializer(ServiceSerializer):
    entity = SCORE_THRESHOLD

    class Meta:
        model = ScoreThreshold
        fields = serializer_fields(SCORE_THRESHOLD)
        read_only_fields = SCORE_THRESHOLD.read_only_names

    def create(self, validated_data: dict[str, Any]) -> Any:
        return SCORE_THRESHOLD.create(by=self._by(), **validated_data)  # type: ignore[misc]


class ScoreThresholdViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, MarketingListViewSet):
    """Score thresholds by id; reaching one fires the workflow trigger and the
    ``score.threshold_reached`` event. Created and deleted (``marketing.admin``), not changed."""

    entity = SCORE_THRESHOLD
    serializer_class = ScoreThresholdSerializer
    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ScoreThreshold]:
        return ScoreThreshold.objects.order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance: ScoreThreshold) -> None:
        SCORE_THRESHOLD.delete(instance, by=acting_user(self.request))  # type: ignore[misc]


RECORD_SUMMARY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
    "required": ["id", "full_name"],
}


class LeadScoreSerializer(SparseFieldsMixin, serializers.ModelSerializer[Score]):
    # One-to-one links, which ``LinkRuleMixin`` does not follow: the link rule is applied here.
    contact = serializers.SerializerMethodField()
    lead = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = LEAD_SCORE.field_names
        read_only_fields = fields

    def _shown(self, record: Contact | Lead | None) -> dict[str, Any] | None:
        shown = api_access(self.context["request"]).shown(record) if record is not None else None
        return None if shown is None else {"id": shown.pk, "full_name": shown.full_name}

    @extend_schema_field(RECORD_SUMMARY_SCHEMA)
    def get_contact(self, score: Score) -> dict[str, Any] | None:
        return self._shown(score.contact)

    @extend_schema_field(RECORD_SUMMARY_SCHEMA)
    def get_lead(self, score: Score) -> dict[str, Any] | None:
        return self._shown(score.lead)


class FitRuleSerializer(serializers.ModelSerializer[ScoringRule]):
    class Meta:
        model = ScoringRule
        fields = ["id", "name", "entity", "field", "operator", "value", "points"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer[ScoreEvent]):
    rule = serializers.SerializerMethodField()

    class Meta:
        model = ScoreEvent
        fields = ["id", "rule", "event_type", "points", "decay", "decay_percent", "decay_days", "occurred_at"]
        read_only_fields = fields

    def get_rule(self, entry: ScoreEvent) -> dict[str, Any]:
        return {"id": entry.rule_id, "name": entry.rule.name}


class LeadScoreDetailSerializer(LeadScoreSerializer):
    fit_rules = serializers.SerializerMethodField(help_text="The active fit rules the record meets now.")
    recent_points = serializers.SerializerMethodField(
        help_text="The latest behaviour points (the ledger, newest first, at most 20), as given."
    )

    class Meta(LeadScoreSerializer.Meta):
        fields = [*LEAD_SCORE.field_names, "fit_rules", "recent_points"]
        read_only_fields = fields

    def _breakdown(self, score: Score) -> dict[str, Any]:
        if not hasattr(self, "_explained"):
            subject = "contact" if score.contact_id else "lead"
            self._explained = breakdown(subject, cast(Model, getattr(score, subject)))
        return self._explained

    @extend_schema_field(FitRuleSerializer(many=True))
    def get_fit_rules(self, score: Score) -> list[dict[str, Any]]:
        return FitRuleSerializer(self._breakdown(score)["fit_rules"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(LedgerEntrySerializer(many=True))
    def get_recent_points(self, score: Score) -> list[dict[str, Any]]:
        return LedgerEntrySerializer(self._breakdown(score)["recent_points"], many=True).data  # type: ignore[return-value]


@extend_schema_view(retrieve=extend_schema(responses=LeadScoreDetailSerializer))
class LeadScoreViewSet(MarketingListViewSet):
    """Scores of the contacts and leads you can see; the detail adds why (fit rules met, the
    latest behaviour points)."""

    entity = LEAD_SCORE
    serializer_class = LeadScoreSerializer

    def get_queryset(self) -> QuerySet[Score]:
        return visible_scores(acting_user(self.request))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        score = self.get_object()
        return Response(LeadScoreDetailSerializer(score, context=self.get_serializer_context()).data)
