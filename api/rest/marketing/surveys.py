"""Surveys in REST (marketing module) from their entity descriptions: ``/api/v1/surveys/`` with their
questions nested (read with ``marketing.view``; created and changed with ``marketing.change``
through the builder's services, questions included; deleted with ``marketing.delete``),
``POST /api/v1/surveys/<id>/invite/`` (``marketing.send``: a segment's contacts or chosen contacts,
as the send page does), ``POST /api/v1/surveys/<id>/share-link/`` (a new shareable link, shown
once) and ``/api/v1/survey-responses/`` with their answers nested (read only: answers come from the
survey links). A response names its contact only when the caller may see it (the link rule)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response as HttpResponse

from api.entities.rest import ordering_parameter
from api.entities.surveys import SURVEY, SURVEY_RESPONSE
from api.rest.records import RecordViewSet, ServiceSerializer, acting_user
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.models import Campaign, Segment
from modules.marketing.surveys.models import Answer, Question, Response, Survey
from modules.marketing.surveys.services.sending import MAX_CHOSEN_CONTACTS, invite, invite_segment
from modules.marketing.surveys.services.surveys import new_share_link


class QuestionSerializer(serializers.ModelSerializer[Question]):
    """A question as read, and as the survey's ``questions`` list takes it (the survey service
    checks it: ``questions[2].choices``)."""

    id = serializers.IntegerField(
        required=False, help_text="Keep this question (and its answers); leave it out for a new question."
    )

    class Meta:
        model = Question
        fields = ["id", "position", "kind", "label", "required", "choices"]
        read_only_fields = ["position"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"required": {"required": False}, "choices": {"required": False}}


@extend_schema_field(QuestionSerializer(many=True))
class QuestionsField(serializers.JSONField):
    """The survey's questions: read as the list of questions, written as a list the survey service
    checks (``questions[2].kind``)."""

    def to_representation(self, value: Any) -> Any:
        return QuestionSerializer(value.all(), many=True).data


class SurveySerializer(ServiceSerializer):
    entity = SURVEY
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True, help_text="A Campaign id."
    )
    questions = QuestionsField(required=False)

    class Meta:
        model = Survey
        fields = SURVEY.field_names
        read_only_fields = SURVEY.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False}
            for name in ("kind", "status", "language", "intro", "thank_you", "email_subject", "share_mode",
                         "open_case_for_detractors")
        }  # fmt: skip

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if "campaign" in fields and "request" in self.context:  # campaigns the caller may see, as everywhere
            user = self.context["request"].user
            fields["campaign"].queryset = restrict_to_visible(Campaign.objects.all(), user)
        return fields


ID_BOUNDS: dict[str, Any] = {"min_value": 1, "max_value": 2**63 - 1}


class InviteSerializer(serializers.Serializer[Any]):
    segment = serializers.IntegerField(
        required=False, help_text="Invite this segment's contacts (a Segment id).", **ID_BOUNDS
    )
    contacts = serializers.ListField(
        child=serializers.IntegerField(**ID_BOUNDS),
        required=False,
        max_length=MAX_CHOSEN_CONTACTS,
        help_text=f"Or these contacts (Contact ids, at most {MAX_CHOSEN_CONTACTS}).",
    )

    def validate_segment(self, value: int) -> Segment:
        segment = restrict_to_visible(Segment.objects.all(), self.context["request"].user).filter(pk=value).first()
        if segment is None:
            raise serializers.ValidationError(_("No such segment, or not one you can see."))
        return segment

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("segment") and not attrs.get("contacts"):
            raise serializers.ValidationError({"segment": [_("Choose a segment or contacts.")]})
        return attrs


INVITED = inline_serializer(
    name="SurveyInvited",
    fields={"invited": serializers.IntegerField(help_text="Contacts newly invited (0 when all were already).")},
)
SHARE_LINK = inline_serializer(
    name="SurveyShareLink",
    fields={"url": serializers.URLField(help_text="The shareable link; the previous one stops working.")},
)


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(SURVEY)]))
class SurveyViewSet(RecordViewSet):
    """Surveys in id order with their questions; ``?kind=``, ``?status=``, ``?campaign=``. POST builds
    a survey (a draft unless ``status`` says otherwise), PATCH changes the fields sent (``questions``
    as the whole list), DELETE removes it with its responses."""

    entity = SURVEY
    serializer_class = SurveySerializer
    action_permissions: ClassVar[dict[str, str]] = {"invite": "send", "share_link": "change"}

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()  # every marketer sees every survey, as on the pages

    @extend_schema(request=InviteSerializer, responses={200: INVITED}, filters=False)
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str | None = None) -> HttpResponse:
        """Invite a segment's contacts or chosen contacts you can see to an open survey. Contacts
        without an address or on the suppression list are left out; a contact is invited once per
        survey, so asking again invites nobody twice. The e-mails go out in the background."""
        survey = self.get_object()
        body = InviteSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        user = acting_user(request)
        segment = body.validated_data.get("segment")
        ids = sorted(set(body.validated_data.get("contacts") or []))
        contacts = visible_contacts(user).filter(pk__in=ids)
        missing = set(ids) - set(contacts.values_list("pk", flat=True))
        if missing:
            listed = ", ".join(str(pk) for pk in sorted(missing)[:20])
            message = _("No such contact, or not one you can see: %(ids)s.") % {"ids": listed}
            raise ValidationError({"contacts": [message]})
        added = 0
        with transaction.atomic():  # both or neither
            if segment is not None:
                added += invite_segment(survey, segment, by=user)
            if ids:
                added += invite(survey, contacts, by=user)
        return HttpResponse({"invited": added})

    @extend_schema(request=None, responses={201: SHARE_LINK}, filters=False)
    @action(detail=True, methods=["post"], url_path="share-link")
    def share_link(self, request: Request, pk: str | None = None) -> HttpResponse:
        """A new shareable link for a survey whose ``share_mode`` allows one. Only its hash is kept:
        the link is shown this once, and the previous link stops working."""
        survey = self.get_object()
        token = new_share_link(survey, by=acting_user(request))
        url = request.build_absolute_uri(reverse("survey-public:page", args=[token]))
        response = HttpResponse({"url": url}, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "private, no-store"
        return response


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    class Meta:
        model = Answer
        fields = ["id", "question", "number", "choices", "text"]
        read_only_fields = fields


class ResponseSerializer(ServiceSerializer):
    entity = SURVEY_RESPONSE
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The contact's id (null: anonymous or not visible to you)."
    )
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = SURVEY_RESPONSE.field_names
        read_only_fields = fields


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(SURVEY_RESPONSE)]))
class ResponseViewSet(RecordViewSet):
    """Survey responses in id order with their answers; ``?survey=``, ``?category=``,
    ``?submitted_after=``. Read only."""

    entity = SURVEY_RESPONSE
    serializer_class = ResponseSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()
