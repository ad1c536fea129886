"""Surveys with their questions, and the responses with their answers (the marketing module's
``surveys`` app). A survey is the workspace's (every marketer sees every survey) and is written
through the builder page's services, questions included (a refusal names its place:
``questions[2].choices``). Responses come from the public survey links: the APIs read them only.
A response's contact follows the link rule."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.marketing.surveys.choices import NpsCategory, SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Response, Survey
from modules.marketing.surveys.services.surveys import create_survey, delete_survey, save_survey

SURVEY = EntityDescription(
    name="survey",
    resource="surveys",
    model=Survey,
    module="marketing",
    owner_field="",
    graphql_type="Survey",
    fields=(
        ID,
        writable("name"),
        writable("kind", "nps, csat or custom; a new NPS or CSAT survey without questions starts with its own."),
        writable("status", "draft, open (invitations go out, answers are taken) or closed."),
        writable("language", "The language of the survey's texts and invitation (a language code)."),
        writable("intro"),
        writable("thank_you"),
        writable("email_subject", "The invitation's subject (a default one when empty)."),
        relation("campaign", "The campaign the survey belongs to."),
        writable("share_mode", "off, anonymous or email: whether a shareable link takes answers, and asks who."),
        writable("open_case_for_detractors", "With the service module: a detractor's answer opens a case."),
        Field(
            "questions",
            writable=True,
            description="In their order: kind (nps, csat, rating, single, multiple, short_text, long_text), label, "
            "required, choices (single and multiple). Written as the whole list: a question given with its id keeps "
            "its answers, one without is added, the others are deleted.",
            prefetch=("questions",),
        ),
        *TIMESTAMPS,
    ),
    filters=(
        choice("kind", SurveyKind),
        choice("status", SurveyStatus),
        by_id("campaign", "Campaign", "Surveys of this campaign (a Campaign id)."),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "created_at", "updated_at"),
    create=create_survey,
    update=save_survey,
    delete=delete_survey,
)

SURVEY_RESPONSE = EntityDescription(
    name="survey_response",
    resource="survey_responses",
    rest_resource="survey-responses",
    model=Response,
    module="marketing",
    owner_field="",
    graphql_type="SurveyResponse",
    fields=(
        ID,
        Field("survey", description="The survey answered."),
        Field(
            "contact", description="Who answered (null: anonymous, or not a contact you can see).", select=("contact",)
        ),
        Field("email", description="The address answered from (personal links, or a link asking for it)."),
        Field("score", description="The survey's NPS (0–10) or CSAT (1–5) answer."),
        Field("category", description="The NPS band: promoter, passive or detractor."),
        Field("submitted_at"),
        Field("answers", description="One per question answered.", prefetch=("answers",)),
    ),
    filters=(
        by_id("survey", "Survey", "Responses to this survey (a Survey id)."),
        choice("category", NpsCategory),
        Filter(
            "submitted_after",
            FilterKind.DATETIME,
            field="submitted_at",
            lookup="gte",
            description="Submitted at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("submitted_at", "score"),
)
