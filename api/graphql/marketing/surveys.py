"""GraphQL types and root fields of surveys (marketing module), from their entity descriptions:
``surveys`` (with their questions) and ``surveyResponses`` (with their answers). The module must be
in the plan and the caller hold ``marketing.view``; every marketer sees every survey. A response's
contact follows the link rule (null when the caller may not see it). Surveys are written by
``api.graphql.marketing.survey_mutations``; responses come from the survey links and are read only."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.surveys import SURVEY, SURVEY_RESPONSE
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import ConnectionField, CountableConnection, Node, choice_field, visible_link
from api.graphql.marketing.forms import MarketingType
from api.graphql.marketing.types import CampaignType
from modules.marketing.surveys.choices import NpsCategory, QuestionKind, ShareMode, SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Answer, Question, Response, Survey

SurveyKindEnum = choice_enum(SurveyKind)
SurveyStatusEnum = choice_enum(SurveyStatus)
ShareModeEnum = choice_enum(ShareMode, "Whether a shareable link takes answers, and whether it asks who answers.")
QuestionKindEnum = choice_enum(QuestionKind)
NpsCategoryEnum = choice_enum(NpsCategory, "The NPS bands: 9–10 promoters, 7–8 passives, 0–6 detractors.")


class SurveyQuestionType(MarketingType):
    """One question of a survey, at ``position``; ``choices`` are the options of a choice question."""

    kind = choice_field(QuestionKindEnum, "kind")
    choices = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Question
        name = "SurveyQuestion"
        interfaces = (Node,)
        convert_choices_to_enum = False
        fields = ("position", "kind", "label", "required", "choices")


class SurveyType(MarketingType):
    """An NPS, CSAT or custom survey with its questions in order."""

    kind = choice_field(SurveyKindEnum, "kind")
    status = choice_field(SurveyStatusEnum, "status")
    share_mode = choice_field(ShareModeEnum, "share_mode")
    campaign = graphene.Field(CampaignType, description="Null when none, or not one you can see.")
    questions = graphene.List(graphene.NonNull(SurveyQuestionType), required=True)

    class Meta:
        model = Survey
        name = SURVEY.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SURVEY)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return super().get_queryset(queryset, info).prefetch_related("questions")

    @staticmethod
    def resolve_campaign(root: Survey, info: Any) -> Any:
        return visible_link(root, info, "campaign", CampaignType)

    @staticmethod
    def resolve_questions(root: Survey, info: Any) -> list[Question]:
        return list(root.questions.all())  # prefetched, in position order


class SurveyAnswerType(DjangoObjectType):
    """The answer to one question: ``number`` for the scales, ``choices`` for choice questions,
    ``text`` for text questions."""

    question = graphene.Field(SurveyQuestionType, required=True)
    choices = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Answer
        name = "SurveyAnswer"
        fields = ("question", "number", "choices", "text")


class SurveyResponseType(MarketingType):
    """One person's answers to a survey, with the survey's score."""

    survey = graphene.Field(SurveyType, required=True)
    contact = graphene.Field(ContactType, description="Null: anonymous, or not a contact you can see.")
    category = choice_field(NpsCategoryEnum, "category", required=False)
    answers = graphene.List(graphene.NonNull(SurveyAnswerType), required=True)

    class Meta:
        model = Response
        name = SURVEY_RESPONSE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SURVEY_RESPONSE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        user = info.context.user
        return (
            super()
            .get_queryset(queryset, info)
            .select_related("survey")
            .prefetch_related(
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("answers", queryset=Answer.objects.select_related("question")),
            )
        )

    @staticmethod
    def resolve_survey(root: Response, info: Any) -> Survey:
        return root.survey

    @staticmethod
    def resolve_contact(root: Response, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_answers(root: Response, info: Any) -> list[Answer]:
        return list(root.answers.all())


describe_fields(SurveyType, SURVEY)
describe_fields(SurveyResponseType, SURVEY_RESPONSE)


class MarketingSurveyQueries(graphene.ObjectType):
    surveys = ConnectionField(SurveyType, **connection_arguments(SURVEY), description="Surveys (marketing module).")
    survey_responses = ConnectionField(
        SurveyResponseType, **connection_arguments(SURVEY_RESPONSE), description="Responses to the surveys."
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_surveys(self, info: Any, **args: Any) -> QuerySet[Survey]:
        return filter_records(SURVEY, Survey.objects.all(), args)

    def resolve_survey_responses(self, info: Any, **args: Any) -> QuerySet[Response]:
        return filter_records(SURVEY_RESPONSE, Response.objects.all(), args)
