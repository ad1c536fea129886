"""GraphQL of lead scoring (marketing module), from ``api.entities.scoring``: ``scoringRules``,
``scoreThresholds`` and ``leadScores`` (the scores of the contacts and leads the caller may see;
``contact`` and ``lead`` follow the link rule); ``scoringRuleCreate`` / ``scoringRuleUpdate`` /
``scoringRuleDelete`` and ``scoreThresholdCreate`` / ``scoreThresholdDelete`` (``marketing.admin``),
checked by the rule services as on the scoring page."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.scoring import LEAD_SCORE, SCORE_THRESHOLD, SCORING_RULE
from api.graphql.contacts.types import ContactType
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    RecordMutation,
    choice_field,
    error_type,
    input_values,
    reloaded,
    resolve_reference,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.forms import MarketingType, marketing_queryset
from api.graphql.sales.types import LeadType
from identity.models import User
from modules.marketing.scoring.choices import BehaviourEvent, Decay, Operator, RuleKind, ScoredEntity
from modules.marketing.scoring.models import Score, ScoreThreshold, ScoringRule
from modules.marketing.scoring.selectors import visible_scores
from modules.marketing.scoring.services.rules import (
    create_rule,
    create_threshold,
    delete_rule,
    delete_threshold,
    update_rule,
)

ADMIN = "marketing.admin"
RuleKindEnum = choice_enum(RuleKind, "Fit (a field's value) or behaviour (something the person did).")
ScoredEntityEnum = choice_enum(ScoredEntity, "The record type a fit rule reads.")
OperatorEnum = choice_enum(Operator, "How a fit rule compares the field.")
BehaviourEventEnum = choice_enum(BehaviourEvent, "The event a behaviour rule scores.")
DecayEnum = choice_enum(Decay, "How behaviour points fade.")


class ScoringRuleType(MarketingType):
    """A fit or behaviour scoring rule."""

    kind = choice_field(RuleKindEnum, "kind")
    decay = choice_field(DecayEnum, "decay")
    created_by = graphene.Field(UserType)

    class Meta:
        model = ScoringRule
        name = SCORING_RULE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SCORING_RULE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return marketing_queryset(info, queryset).select_related("created_by")


class ScoreThresholdType(MarketingType):
    """A named score; reaching it fires the workflow trigger."""

    class Meta:
        model = ScoreThreshold
        name = SCORE_THRESHOLD.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SCORE_THRESHOLD)


class LeadScoreType(MarketingType):
    """A contact's or a lead's current score."""

    contact = graphene.Field(ContactType)
    lead = graphene.Field(LeadType)

    class Meta:
        model = Score
        name = LEAD_SCORE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(LEAD_SCORE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        rows = marketing_queryset(info, queryset)
        return rows.filter(pk__in=visible_scores(info.context.user).values("pk")).select_related("contact", "lead")

    @staticmethod
    def resolve_contact(root: Score, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_lead(root: Score, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType)


for _type, _description in (
    (ScoringRuleType, SCORING_RULE),
    (ScoreThresholdType, SCORE_THRESHOLD),
    (LeadScoreType, LEAD_SCORE),
):
    describe_fields(_type, _description)


class ScoringQueries(graphene.ObjectType):
    scoring_rules = ConnectionField(ScoringRuleType, **connection_arguments(SCORING_RULE), description="Scoring rules.")
    score_thresholds = ConnectionField(
        ScoreThresholdType, **connection_arguments(SCORE_THRESHOLD), description="Score thresholds."
    )
    lead_scores = ConnectionField(
        LeadScoreType,
        **connection_arguments(LEAD_SCORE),
        description="Scores of the contacts and leads you can see (REST /lead-scores/<id>/ says why).",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility).

    def resolve_scoring_rules(self, info: Any, **args: Any) -> QuerySet[ScoringRule]:
        return filter_records(SCORING_RULE, ScoringRule.objects.all(), args)

    def resolve_score_thresholds(self, info: Any, **args: Any) -> QuerySet[ScoreThreshold]:
        return filter_records(SCORE_THRESHOLD, ScoreThreshold.objects.all(), args)

    def resolve_lead_scores(self, info: Any, **args: Any) -> QuerySet[Score]:
        return filter_records(LEAD_SCORE, Score.objects.all(), args)


class ScoringRuleInput(graphene.InputObjectType):
    name = graphene.String()
    kind = RuleKindEnum()
    points = graphene.Int()
    active = graphene.Boolean()
    entity = ScoredEntityEnum()
    field = graphene.String()
    operator = OperatorEnum()
    value = graphene.String()
    event_type = BehaviourEventEnum()
    cap_points = graphene.Int()
    cap_days = graphene.Int()
    decay = DecayEnum()
    decay_percent = graphene.Int()
    decay_days = graphene.Int()


class ScoringRuleCreate(RecordMutation):
    """Create a scoring rule (``marketing.admin``), checked as the scoring page checks it."""

    class Arguments:
        input = ScoringRuleInput(required=True)

    rule = graphene.Field(ScoringRuleType)
    errors = graphene.List(graphene.NonNull(error_type("ScoringRuleCreate")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        return {"rule": reloaded(ScoringRuleType, info, create_rule(by=user, **input_values(data["input"])))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name", "kind", "points"})


class ScoringRuleUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a scoring rule (``marketing.admin``)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ScoringRuleInput(required=True)

    rule = graphene.Field(ScoringRuleType)
    errors = graphene.List(graphene.NonNull(error_type("ScoringRuleUpdate")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        rule = resolve_reference(info, data["id"], ScoringRuleType, "id")
        return {"rule": reloaded(ScoringRuleType, info, update_rule(rule, by=user, **input_values(data["input"])))}


class ScoringRuleDelete(RecordMutation):
    """Delete a scoring rule and the behaviour points it gave (``marketing.admin``)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("ScoringRuleDelete")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_rule(resolve_reference(info, data["id"], ScoringRuleType, "id"), by=user)
        return {"deleted_id": data["id"]}


class ScoreThresholdCreate(RecordMutation):
    """Create a score threshold (``marketing.admin``)."""

    class Arguments:
        name = graphene.String(required=True)
        points = graphene.Int(required=True)

    threshold = graphene.Field(ScoreThresholdType)
    errors = graphene.List(graphene.NonNull(error_type("ScoreThresholdCreate")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        threshold = create_threshold(name=data["name"], points=data["points"], by=user)
        return {"threshold": reloaded(ScoreThresholdType, info, threshold)}


class ScoreThresholdDelete(RecordMutation):
    """Delete a score threshold (``marketing.admin``)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("ScoreThresholdDelete")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_threshold(resolve_reference(info, data["id"], ScoreThresholdType, "id"), by=user)
        return {"deleted_id": data["id"]}


class ScoringMutations(graphene.ObjectType):
    scoring_rule_create = ScoringRuleCreate.Field()
    scoring_rule_update = ScoringRuleUpdate.Field()
    scoring_rule_delete = ScoringRuleDelete.Field()
    score_threshold_create = ScoreThresholdCreate.Field()
    score_threshold_delete = ScoreThresholdDelete.Field()
