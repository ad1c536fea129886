"""REST endpoints of web forms (marketing module), read-only: ``/api/v1/web-forms/`` and
``/api/v1/form-submissions/`` (``?form=<id>``, ``?status=``, ``?submitted_after=``). Forms are built
on their pages; submissions come from visitors. ``marketing.view`` and the ``marketing:read`` scope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets

from api.entities.links import api_access
from api.rest import filters
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS
from modules.marketing.webforms.choices import SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.models.submission import UTM_KEYS


class MarketingReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]):
    module = "marketing"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]


class WebFormSerializer(serializers.ModelSerializer[WebForm]):
    campaign = serializers.SerializerMethodField()
    # Empty when the form shows its thank-you message instead: a URL or "", not always a URI.
    redirect_url = serializers.CharField(read_only=True, help_text="Where the visitor goes after submitting, or empty.")

    class Meta:
        model = WebForm
        fields = [
            "id", "name", "key", "creates", "language", "fields", "consents", "on_duplicate", "submit_label",
            "thank_you_message", "redirect_url", "allowed_origins", "campaign", "captcha", "is_active", "views",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_campaign(self, form: WebForm) -> dict[str, Any] | None:
        campaign = form.campaign
        return None if campaign is None else {"id": campaign.pk, "name": campaign.name}


def _record(request: Any, record: Any) -> dict[str, Any] | None:
    """The lead or contact as a small object, or null when the caller may not see it (the link rule)."""
    shown = api_access(request).shown(record)
    return None if shown is None else {"id": shown.pk, "name": shown.full_name}


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    lead = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()

    def get_lead(self, submission: Submission) -> dict[str, Any] | None:
        return _record(self.context["request"], submission.lead)

    def get_contact(self, submission: Submission) -> dict[str, Any] | None:
        return _record(self.context["request"], submission.contact)

    class Meta:
        model = Submission
        fields = [
            "id", "form", "status", "data", "consents", "lead", "contact", "ip_address", "user_agent", "referrer",
            "page_url", *UTM_KEYS, "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebFormFilter(filters.StrictFilterSet):
    is_active = filters.StrictBooleanFilter()

    class Meta:
        model = WebForm
        fields: list[str] = []


class SubmissionFilter(filters.StrictFilterSet):
    form = django_filters.NumberFilter(field_name="form_id")
    status = django_filters.ChoiceFilter(choices=SubmissionStatus.choices)
    submitted_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Submission
        fields: list[str] = []


class WebFormViewSet(MarketingReadOnlyViewSet):
    """The workspace's web forms in id order; ``?is_active=true`` for the live ones."""

    serializer_class = WebFormSerializer
    filterset_class = WebFormFilter

    def get_queryset(self) -> QuerySet[WebForm]:
        return WebForm.objects.select_related("campaign").order_by("id")


class SubmissionViewSet(MarketingReadOnlyViewSet):
    """What visitors sent through the forms, in id order (spam included, marked ``status=spam``);
    ``lead`` / ``contact`` is the record it created or updated."""

    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter

    def get_queryset(self) -> QuerySet[Submission]:
        return Submission.objects.select_related("lead", "contact").order_by("id")
