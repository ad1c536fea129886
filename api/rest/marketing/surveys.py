"""Surveys in REST (marketing module), read only: ``/api/v1/surveys/`` with their questions nested,
and ``/api/v1/survey-responses/`` with their answers nested (``?survey=<id>``,
``?submitted_after=<ISO 8601>``). Surveys are written on the marketers' pages; answers come from
the public survey links. A response names its contact by id only when the caller may see it."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets

from api.auth.credentials import credential_of, scope_allows
from api.rest import filters
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user
from core.input_bounds import bounded_input
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from modules.marketing.surveys.choices import SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Answer, Question, Response, Survey


class MarketingReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]):
    module = "marketing"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]


class QuestionSerializer(serializers.ModelSerializer[Question]):
    class Meta:
        model = Question
        fields = ["id", "position", "kind", "label", "required", "choices"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer[Survey]):
    questions = QuestionSerializer(many=True, read_only=True, help_text="In their order.")

    class Meta:
        model = Survey
        fields = ["id", "name", "kind", "status", "language", "intro", "thank_you", "campaign", "share_mode",
                  "open_case_for_detractors", "questions", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    class Meta:
        model = Answer
        fields = ["id", "question", "number", "choices", "text"]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer[Response]):
    contact = serializers.SerializerMethodField(help_text="The contact's id (null: anonymous or not visible to you).")
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = ["id", "survey", "contact", "email", "score", "category", "submitted_at", "answers"]
        read_only_fields = fields

    def get_contact(self, response: Response) -> int | None:
        visible: set[int] = self.context.get("visible_contacts", set())
        return response.contact_id if response.contact_id in visible else None


class SurveyFilter(filters.StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields: list[str] = []


class ResponseFilter(filters.StrictFilterSet):
    survey = filters.IdFilter(field_name="survey_id")
    submitted_after = django_filters.IsoDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", validators=[bounded_input]
    )

    class Meta:
        model = Response
        fields: list[str] = []


class SurveyViewSet(MarketingReadOnlyViewSet):
    """Surveys in id order with their questions; ``?kind=`` and ``?status=`` narrow them."""

    serializer_class = SurveySerializer
    filterset_class = SurveyFilter

    def get_queryset(self) -> QuerySet[Survey]:
        return Survey.objects.order_by("id").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
        )


class ResponseViewSet(MarketingReadOnlyViewSet):
    """Survey responses in id order with their answers; ``?survey=`` and ``?submitted_after=``."""

    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter

    def get_queryset(self) -> QuerySet[Response]:
        return Response.objects.order_by("id").prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("id"))
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        rows = getattr(self, "_page_rows", None)
        context["visible_contacts"] = self._visible_contacts(rows) if rows is not None else set()
        return context

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        self._page_rows = page
        return page

    def get_object(self) -> Response:
        found = super().get_object()
        self._page_rows = [found]
        return found  # type: ignore[no-any-return]

    def _visible_contacts(self, rows: list[Response]) -> set[int]:
        ids = {row.contact_id for row in rows if row.contact_id is not None}
        user = acting_user(self.request)
        # The link rule: a key without the contacts scope, or a role without contacts, sees no contact.
        if (
            not ids
            or not user.has_perm("contacts.view")
            or not scope_allows(credential_of(self.request), "contacts", write=False)
        ):
            return set()
        visible = restrict_to_visible(Contact.objects.filter(pk__in=ids), acting_user(self.request))
        return set(visible.values_list("pk", flat=True))
