"""Web-form mutations (marketing module): ``webFormCreate``, ``webFormUpdate``, ``webFormDelete``.
They call the builder page's services, so a form is checked the same on every surface; a refused
input names its place (``fields[2].type``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphene.types.generic import GenericScalar

from api.entities.webforms import WEB_FORM
from api.graphql.core import RecordMutation, error_type, input_values, reloaded, resolve_reference
from api.graphql.identity.types import UserType
from api.graphql.marketing.forms import CreatesEnum, WebFormType
from api.graphql.marketing.types import CampaignType
from identity.models import User
from modules.marketing.webforms.services.forms import create_form, delete_form, update_form

TEXT_FIELDS = frozenset({"submit_label", "thank_you_message", "redirect_url"})


class WebFormInput(graphene.InputObjectType):
    name = graphene.String(description="Required on create.")
    key = graphene.String(description="Required on create; fixed once the form has submissions.")
    creates = graphene.InputField(CreatesEnum, description="LEAD when not given.")
    language = graphene.String(description="A language code; en when not given.")
    fields = GenericScalar(description=WEB_FORM.described_field("fields").description)  # type: ignore[union-attr]
    consents = GenericScalar(description=WEB_FORM.described_field("consents").description)  # type: ignore[union-attr]
    on_duplicate = graphene.String(description="update, create or skip.")
    submit_label = graphene.String()
    thank_you_message = graphene.String()
    redirect_url = graphene.String(description="An https:// address, or empty for the thank-you message.")
    allowed_origins = graphene.List(graphene.NonNull(graphene.String), description="Origins that may embed the form.")
    campaign = graphene.ID(description="A Campaign id.")
    owner = graphene.ID(description="A User id: the owner of the records the form creates.")
    captcha = graphene.Boolean()
    is_active = graphene.Boolean()


REFERENCES = {"campaign": CampaignType, "owner": UserType}


def form_values(info: Any, data: Any) -> dict[str, Any]:
    """Form service keyword arguments: ids become visible records; null text is empty text."""
    values = input_values(data, references=REFERENCES, info=info)
    for name in TEXT_FIELDS & set(values):
        if values[name] is None:
            values[name] = ""
    for name in ("creates", "language", "on_duplicate", "captcha", "is_active"):
        if name in values and values[name] is None:
            values.pop(name)
    return values


class WebFormCreate(RecordMutation):
    """Build a web form (marketing module), checked as the builder page checks it."""

    class Arguments:
        input = WebFormInput(required=True)

    web_form = graphene.Field(WebFormType)
    errors = graphene.List(graphene.NonNull(error_type("WebFormCreate")), required=True)

    module = WEB_FORM.module
    permission = WEB_FORM.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        form = create_form(by=user, **form_values(info, data["input"]))
        return {"web_form": reloaded(WebFormType, info, form)}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name", "key"})


class WebFormUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a web form."""

    class Arguments:
        id = graphene.ID(required=True)
        input = WebFormInput(required=True)

    web_form = graphene.Field(WebFormType)
    errors = graphene.List(graphene.NonNull(error_type("WebFormUpdate")), required=True)

    module = WEB_FORM.module
    permission = WEB_FORM.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        form = resolve_reference(info, data["id"], WebFormType, "id")
        update_form(form, by=user, **form_values(info, data["input"]))
        return {"web_form": reloaded(WebFormType, info, form)}


class WebFormDelete(RecordMutation):
    """Delete a web form with its submissions."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the form had.")
    errors = graphene.List(graphene.NonNull(error_type("WebFormDelete")), required=True)

    module = WEB_FORM.module
    permission = WEB_FORM.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_form(resolve_reference(info, data["id"], WebFormType, "id"), by=user)
        return {"deleted_id": data["id"]}


class MarketingFormMutations(graphene.ObjectType):
    web_form_create = WebFormCreate.Field()
    web_form_update = WebFormUpdate.Field()
    web_form_delete = WebFormDelete.Field()
