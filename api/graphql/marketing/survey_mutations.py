"""Survey mutations (marketing module): create, change and delete a survey with its questions
through the builder page's services (a refused input names its place: ``questions[2].choices``),
invite contacts as the send page does (``marketing.send``), and make a new shareable link."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from api.entities.surveys import SURVEY
from api.graphql.core import (
    MutationFailed,
    RecordMutation,
    error_type,
    global_id_to_pk,
    input_values,
    reloaded,
    resolve_reference,
)
from api.graphql.marketing.surveys import (
    QuestionKindEnum,
    ShareModeEnum,
    SurveyKindEnum,
    SurveyStatusEnum,
    SurveyType,
)
from api.graphql.marketing.types import CampaignType
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from modules.marketing.models import Segment
from modules.marketing.surveys.services.sending import MAX_CHOSEN_CONTACTS, invite, invite_segment
from modules.marketing.surveys.services.surveys import create_survey, delete_survey, new_share_link, save_survey

TEXT_FIELDS = frozenset({"intro", "thank_you", "email_subject"})
LARGEST_ID = 2**63 - 1


class SurveyQuestionInput(graphene.InputObjectType):
    id = graphene.ID(description="A SurveyQuestion id of this survey: keeps the question and its answers.")
    kind = graphene.InputField(QuestionKindEnum, required=True)
    label = graphene.String(required=True)
    required = graphene.Boolean()
    choices = graphene.List(graphene.NonNull(graphene.String), description="The options of a choice question.")


class SurveyInput(graphene.InputObjectType):
    name = graphene.String(description="Required on create.")
    kind = graphene.InputField(SurveyKindEnum, description="NPS when not given.")
    status = graphene.InputField(SurveyStatusEnum, description="DRAFT when not given.")
    language = graphene.String(description="A language code; en when not given.")
    intro = graphene.String()
    thank_you = graphene.String()
    email_subject = graphene.String()
    campaign = graphene.ID(description="A Campaign id.")
    share_mode = graphene.InputField(ShareModeEnum, description="OFF when not given.")
    open_case_for_detractors = graphene.Boolean()
    questions = graphene.List(
        graphene.NonNull(SurveyQuestionInput),
        description="The whole list in order: a question given with its id keeps its answers, one without is "
        "added, the others are deleted.",
    )


def _question(index: int, raw: Any) -> dict[str, Any]:
    question = input_values(raw)
    if question.get("id") is not None:
        pk = global_id_to_pk(question["id"], "SurveyQuestion")
        if pk is None or pk > LARGEST_ID:
            raise MutationFailed(f"questions[{index}].id", _("No such question of this survey."), "NOT_FOUND")
        question["id"] = pk
    if question.get("choices") is None:
        question["choices"] = []
    return question


def survey_values(info: Any, data: Any) -> dict[str, Any]:
    """Survey service keyword arguments: ids become visible records; null text is empty text."""
    values = input_values(
        {key: value for key, value in dict(data).items() if key != "questions"},
        references={"campaign": CampaignType},
        info=info,
    )
    for name in TEXT_FIELDS & set(values):
        if values[name] is None:
            values[name] = ""
    for name in ("kind", "status", "language", "share_mode", "open_case_for_detractors"):
        if name in values and values[name] is None:
            values.pop(name)
    if "questions" in dict(data) and data["questions"] is not None:
        values["questions"] = [_question(index, raw) for index, raw in enumerate(data["questions"])]
    return values


class SurveyCreate(RecordMutation):
    """Build a survey (marketing module), checked as the builder page checks it."""

    class Arguments:
        input = SurveyInput(required=True)

    survey = graphene.Field(SurveyType)
    errors = graphene.List(graphene.NonNull(error_type("SurveyCreate")), required=True)

    module = SURVEY.module
    permission = SURVEY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        return {"survey": reloaded(SurveyType, info, create_survey(by=user, **survey_values(info, data["input"])))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name"})


class SurveyUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a survey (``questions`` as the whole list)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = SurveyInput(required=True)

    survey = graphene.Field(SurveyType)
    errors = graphene.List(graphene.NonNull(error_type("SurveyUpdate")), required=True)

    module = SURVEY.module
    permission = SURVEY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        survey = resolve_reference(info, data["id"], SurveyType, "id")
        save_survey(survey, by=user, **survey_values(info, data["input"]))
        return {"survey": reloaded(SurveyType, info, survey)}


class SurveyDelete(RecordMutation):
    """Delete a survey with its questions, invitations and responses."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the survey had.")
    errors = graphene.List(graphene.NonNull(error_type("SurveyDelete")), required=True)

    module = SURVEY.module
    permission = SURVEY.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_survey(resolve_reference(info, data["id"], SurveyType, "id"), by=user)
        return {"deleted_id": data["id"]}


def _contacts(user: User, ids: list[Any]) -> QuerySet[Contact]:
    if len(ids) > MAX_CHOSEN_CONTACTS:
        message = _("Choose at most %(count)d contacts; use a segment for more.") % {"count": MAX_CHOSEN_CONTACTS}
        raise MutationFailed("contacts", message)
    pks = [global_id_to_pk(value, "Contact") for value in ids]
    contacts = restrict_to_visible(Contact.objects.all(), user).filter(
        pk__in=[pk for pk in pks if pk is not None and pk <= LARGEST_ID]
    )
    if None in pks or any(pk > LARGEST_ID for pk in pks if pk is not None) or contacts.count() != len(set(pks)):
        raise MutationFailed("contacts", _("No such contact, or not one you can see."), "NOT_FOUND")
    return contacts


class SurveyInvite(RecordMutation):
    """Invite a segment's contacts or chosen contacts you can see to an open survey. Contacts without
    an address or on the suppression list are left out; a contact is invited once per survey, so
    asking again invites nobody twice. The e-mails go out in the background."""

    class Arguments:
        id = graphene.ID(required=True)
        segment = graphene.ID(description="A Segment id: invite its contacts.")
        contacts = graphene.List(graphene.NonNull(graphene.ID), description="Contact ids (at most 1,000).")

    invited = graphene.Int(description="Contacts newly invited (0 when all were already).")
    errors = graphene.List(graphene.NonNull(error_type("SurveyInvite")), required=True)

    module = SURVEY.module
    permission = SURVEY.permission("send")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        survey = resolve_reference(info, data["id"], SurveyType, "id")
        segment = None
        if data.get("segment") is not None:
            pk = global_id_to_pk(data["segment"], "Segment")
            visible = restrict_to_visible(Segment.objects.all(), user)
            segment = visible.filter(pk=pk).first() if pk is not None and pk <= LARGEST_ID else None
            if segment is None:
                raise MutationFailed("segment", _("No such segment, or not one you can see."), "NOT_FOUND")
        contacts = _contacts(user, data["contacts"]) if data.get("contacts") else None
        if segment is None and contacts is None:
            raise MutationFailed("segment", _("Choose a segment or contacts."), "REQUIRED")
        invited = 0
        if segment is not None:
            invited += invite_segment(survey, segment, by=user)
        if contacts is not None:
            invited += invite(survey, contacts, by=user)
        return {"invited": invited}


class SurveyShareLinkCreate(RecordMutation):
    """A new shareable link for a survey whose share mode allows one. Only its hash is kept: the
    link is shown this once, and the previous link stops working."""

    class Arguments:
        id = graphene.ID(required=True)

    url = graphene.String(description="The shareable link.")
    errors = graphene.List(graphene.NonNull(error_type("SurveyShareLinkCreate")), required=True)

    module = SURVEY.module
    permission = SURVEY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        survey = resolve_reference(info, data["id"], SurveyType, "id")
        token = new_share_link(survey, by=user)
        return {"url": info.context.build_absolute_uri(reverse("survey-public:page", args=[token]))}


class MarketingSurveyMutations(graphene.ObjectType):
    survey_create = SurveyCreate.Field()
    survey_update = SurveyUpdate.Field()
    survey_delete = SurveyDelete.Field()
    survey_invite = SurveyInvite.Field()
    survey_share_link_create = SurveyShareLinkCreate.Field()
