"""GraphQL types and root fields of web forms (marketing module), read-only: ``webForms`` and
``formSubmissions`` (by form, by status). The module must be in the plan and the caller hold
``marketing.view``; a submission's lead or contact follows the link rule (null when not visible)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, QuerySet
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType

from api.entities.graphql import choice_enum
from api.graphql.contacts.types import ContactType
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    choice_field,
    id_argument,
    module_enabled,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.sales.types import LeadType
from modules.marketing.webforms.choices import Creates, SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm

CreatesEnum = choice_enum(Creates, "The record a form's submission becomes.")
SubmissionStatusEnum = choice_enum(SubmissionStatus, "Spam is kept (without a record) so its volume shows.")


def marketing_queryset(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    require_module(info, "marketing")
    require_permission(info, "marketing.view")
    return queryset


class MarketingType(DjangoObjectType):
    plan_module: ClassVar[str] = "marketing"

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info: Any, id: str) -> Model | None:
        if not module_enabled(info, "marketing") or not id.isdigit():
            return None
        queryset = cls.get_queryset(cls._meta.model.objects.all(), info)
        return queryset.filter(pk=int(id)).first()  # type: ignore[no-any-return]

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return marketing_queryset(info, queryset)


class WebFormType(MarketingType):
    """A web form: its inputs (``fields``), consent boxes, behaviour and the views it was shown."""

    creates = choice_field(CreatesEnum, "creates")
    fields = GenericScalar(required=True, description="The inputs in order: field, type, required, label, help.")
    consents = GenericScalar(required=True, description="Consent checkboxes: topic id, label, double opt-in.")
    allowed_origins = GenericScalar(required=True, description="Origins whose pages may embed the form.")

    class Meta:
        model = WebForm
        name = "WebForm"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "name", "key", "creates", "language", "on_duplicate", "submit_label", "thank_you_message",
            "redirect_url", "captcha", "is_active", "views", "created_at", "updated_at",
        )  # fmt: skip


class FormSubmissionType(MarketingType):
    """What a visitor sent through a form, with where it came from."""

    form = graphene.Field(WebFormType, required=True)
    status = choice_field(SubmissionStatusEnum, "status")
    data = GenericScalar(required=True, description="The values by field (email, custom.<key>).")
    consents = GenericScalar(required=True, description="The ids of the topics ticked.")
    lead = graphene.Field(LeadType)
    contact = graphene.Field(ContactType)

    class Meta:
        model = Submission
        name = "FormSubmission"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "form", "status", "ip_address", "user_agent", "referrer", "page_url", "utm_source", "utm_medium",
            "utm_campaign", "utm_term", "utm_content", "created_at",
        )  # fmt: skip

    @staticmethod
    def resolve_lead(root: Submission, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType)

    @staticmethod
    def resolve_contact(root: Submission, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


class MarketingFormQueries(graphene.ObjectType):
    web_forms = ConnectionField(WebFormType, description="The workspace's web forms (marketing module), by name.")
    form_submissions = ConnectionField(
        FormSubmissionType,
        form=graphene.ID(description="Only this form's submissions (its global id)."),
        status=SubmissionStatusEnum(),
        description="Web-form submissions, newest first.",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_web_forms(self, info: Any, **_pagination: Any) -> QuerySet[WebForm]:
        return WebForm.objects.order_by("name", "id")

    def resolve_form_submissions(
        self, info: Any, form: str | None = None, status: Any = None, **_pagination: Any
    ) -> QuerySet[Submission]:
        queryset = Submission.objects.select_related("form").order_by("-created_at", "-id")
        if form is not None:
            queryset = queryset.filter(form_id=id_argument(form, "WebForm", "form"))
        if status is not None:
            queryset = queryset.filter(status=getattr(status, "value", status))
        return queryset
