"""REST endpoints of web forms (marketing module) from their entity descriptions:
``/api/v1/web-forms/`` (read with ``marketing.view``, create and change with ``marketing.change``,
delete with ``marketing.delete``; written through the builder's services, so an API form is checked
exactly as a form built on the page) and ``/api/v1/form-submissions/`` (read only: visitors send
them). A submission's lead or contact reads as null when the caller may not see it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from api.entities.rest import ordering_parameter, serializer_fields
from api.entities.webforms import FORM_SUBMISSION, WEB_FORM
from api.rest.marketing.campaigns import campaign_field
from api.rest.records import RecordViewSet, RelatedByIdField, ServiceSerializer, user_field
from modules.contacts.models import Contact
from modules.marketing.webforms.models import Submission, WebForm
from modules.sales.models import Lead

RECORD_SUMMARY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}


def record_summary(record: Lead | Contact | None) -> dict[str, Any] | None:
    return None if record is None else {"id": record.pk, "name": record.full_name}


@extend_schema_field(RECORD_SUMMARY_SCHEMA)
class RecordSummaryField(RelatedByIdField):
    """A submission's lead or contact, read only, as ``{"id", "name"}``."""


class WebFormSerializer(ServiceSerializer):
    """A web form as the builder keeps it. ``fields``, ``consents`` and ``allowed_origins`` are
    checked by the form service (a refusal names its place: ``fields[2].type``)."""

    entity = WEB_FORM
    campaign = campaign_field()
    owner = user_field()
    # DRF takes declared fields off the class, so this does not shadow ``Serializer.fields`` at run time.
    fields = serializers.JSONField(required=False)  # type: ignore[assignment]
    consents = serializers.JSONField(required=False)
    allowed_origins = serializers.JSONField(required=False)
    # Empty when the form shows its thank-you message instead: a URL or "", not always a URI.
    redirect_url = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = WebForm
        fields = serializer_fields(WEB_FORM)
        read_only_fields = WEB_FORM.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False}
            for name in ("creates", "language", "on_duplicate", "submit_label", "thank_you_message", "captcha",
                         "is_active")
        }  # fmt: skip


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(WEB_FORM)]))
class WebFormViewSet(RecordViewSet):
    """The workspace's web forms in id order (``?is_active=true`` for the live ones). POST builds a
    form (the e-mail, a name, fields from the lead's or contact's fields and custom fields),
    PATCH changes the fields sent, DELETE removes the form with its submissions."""

    entity = WEB_FORM
    serializer_class = WebFormSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()  # every marketer sees every form, as on the pages


class SubmissionSerializer(ServiceSerializer):
    entity = FORM_SUBMISSION
    form: serializers.PrimaryKeyRelatedField[WebForm] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The web form's id."
    )
    lead = RecordSummaryField(Lead, record_summary, read_only=True)
    contact = RecordSummaryField(Contact, record_summary, read_only=True)

    class Meta:
        model = Submission
        fields = serializer_fields(FORM_SUBMISSION)
        read_only_fields = fields


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(FORM_SUBMISSION)]))
class FormSubmissionViewSet(RecordViewSet):
    """What visitors sent through the forms, in id order (spam included, marked ``status=spam``);
    ``lead`` / ``contact`` is the record it created or updated. Read only."""

    entity = FORM_SUBMISSION
    serializer_class = SubmissionSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()
