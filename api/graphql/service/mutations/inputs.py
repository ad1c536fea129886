"""Input object of the case mutations; the case service says what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext as _

from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.core import MutationFailed, input_values
from api.graphql.identity.types import UserType
from api.graphql.sales.orders import OrderType
from api.graphql.sales.types import DealType, ProductType
from api.graphql.service.types import CaseCategoryType, CaseChannelEnum, CasePriorityEnum, CaseStatusType
from customization.fields.choices import Entity
from identity.models import Team

TEXT_FIELDS = frozenset({"subject", "description", "language"})


class CaseInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.CASE  # ``custom`` in the tenant's schema

    subject = graphene.String(description="Required on create.")
    description = graphene.String()
    contact = graphene.ID(description="A Contact id.")
    company = graphene.ID(description="A Company id; the contact's company when not given.")
    channel = graphene.InputField(CaseChannelEnum, description="AGENT when not given.")
    priority = graphene.InputField(CasePriorityEnum, description="NORMAL when not given.")
    status = graphene.ID(description="A CaseStatus id; the first new status when not given.")
    category = graphene.ID(description="A CaseCategory id.")
    team = graphene.Int(description="The queue: a team's id.")
    owner = graphene.ID(description="The agent (a User id); empty leaves the case unassigned.")
    deal = graphene.ID(description="A Deal id.")
    order = graphene.ID(description="An Order id.")
    product = graphene.ID(description="A Product id.")
    language = graphene.String(description="The language the customer writes in (an IETF tag such as de).")


REFERENCES = {
    "contact": ContactType, "company": CompanyType, "status": CaseStatusType, "category": CaseCategoryType,
    "owner": UserType, "deal": DealType, "order": OrderType, "product": ProductType,
}  # fmt: skip


def case_values(info: Any, data: Any) -> dict[str, Any]:
    """Case service keyword arguments: ids become visible records, a team id its team."""
    sent = dict(data or {})
    team_id = sent.pop("team", None) if "team" in sent else ...
    values = input_values(sent, references=REFERENCES, info=info)
    for name in TEXT_FIELDS & set(values):
        if values[name] is None:
            values[name] = ""
    for name in ("channel", "priority"):
        if name in values and values[name] is None:
            values.pop(name)
    if team_id is not ...:
        team = None if team_id is None else Team.objects.filter(pk=team_id).first() if 0 < team_id < 2**63 else None
        if team_id is not None and team is None:
            raise MutationFailed("team", _("No such record, or not one you can see."), "NOT_FOUND")
        values["team"] = team
    return values
