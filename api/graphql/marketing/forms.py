"""GraphQL types and root fields of web forms (marketing module), from their entity descriptions:
``webForms`` and ``formSubmissions``. The module must be in the plan and the caller hold
``marketing.view``; every marketer sees every form. A submission's lead or contact follows the
link rule (null when not visible). Forms are written by ``api.graphql.marketing.form_mutations``;
submissions come from visitors and are read only."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, QuerySet
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType

from api.entities.graphql import (
    choice_enum,
    connection_arguments,
    describe_fields,
    filter_records,
    order_by_enum,
    type_fields,
)
from api.entities.webforms import FORM_SUBMISSION, WEB_FORM
from api.graphql.contacts.types import ContactType
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    choice_field,
    module_enabled,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.types import CampaignType
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
    """A marketing record every marketer sees (no owner visibility): module and permission only."""

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
    campaign = graphene.Field(CampaignType, description="Null when none, or not one you can see.")
    owner = graphene.Field(UserType)

    class Meta:
        model = WebForm
        name = WEB_FORM.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(WEB_FORM)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return marketing_queryset(info, queryset).select_related("owner")

    @staticmethod
    def resolve_campaign(root: WebForm, info: Any) -> Any:
        return visible_link(root, info, "campaign", CampaignType)


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
        name = FORM_SUBMISSION.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(FORM_SUBMISSION)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return marketing_queryset(info, queryset).select_related("form")

    @staticmethod
    def resolve_form(root: Submission, info: Any) -> WebForm:
        return root.form

    @staticmethod
    def resolve_lead(root: Submission, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType)

    @staticmethod
    def resolve_contact(root: Submission, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


describe_fields(WebFormType, WEB_FORM)
describe_fields(FormSubmissionType, FORM_SUBMISSION)


def _arguments(description: Any, default_order: str) -> dict[str, Any]:
    arguments = connection_arguments(description)
    arguments["order_by"] = graphene.Argument(order_by_enum(description), description=default_order)
    return arguments


class MarketingFormQueries(graphene.ObjectType):
    web_forms = ConnectionField(
        WebFormType,
        **_arguments(WEB_FORM, "By name when not given."),
        description="The workspace's web forms (marketing module).",
    )
    form_submissions = ConnectionField(
        FormSubmissionType,
        **_arguments(FORM_SUBMISSION, "Newest first when not given."),
        description="Web-form submissions.",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_web_forms(self, info: Any, **args: Any) -> QuerySet[WebForm]:
        forms = filter_records(WEB_FORM, WebForm.objects.all(), args)
        return forms if args.get("order_by") else forms.order_by("name", "id")

    def resolve_form_submissions(self, info: Any, **args: Any) -> QuerySet[Submission]:
        rows = filter_records(FORM_SUBMISSION, Submission.objects.all(), args)
        return rows if args.get("order_by") else rows.order_by("-created_at", "-id")
