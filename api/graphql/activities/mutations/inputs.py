"""Input objects of the activity mutations; the service says what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene

from api.graphql.activities.types import ActivityKindEnum, ActivityStatusEnum, DirectionEnum, OutcomeEnum, PriorityEnum
from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.core import input_values
from api.graphql.identity.types import UserType
from api.graphql.sales.types import DealType, LeadType
from customization.fields.choices import Entity

TEXT_FIELDS = frozenset({"subject", "body", "location", "outcome_note", "direction", "outcome"})


class ActivityInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.ACTIVITY  # ``custom`` in the tenant's schema

    kind = graphene.InputField(ActivityKindEnum)
    subject = graphene.String()
    body = graphene.String()
    status = graphene.InputField(ActivityStatusEnum, description="On create only: DONE logs what already happened.")
    priority = graphene.InputField(PriorityEnum)
    direction = graphene.InputField(DirectionEnum)
    due_at = graphene.DateTime(description="For meetings, the start.")
    ends_at = graphene.DateTime()
    all_day = graphene.Boolean()
    location = graphene.String()
    outcome = graphene.InputField(OutcomeEnum)
    outcome_note = graphene.String()
    remind_at = graphene.DateTime()
    assignee = graphene.ID(description="A User id; the signed-in user when creating without one.")
    company = graphene.ID()
    contact = graphene.ID()
    lead = graphene.ID()
    deal = graphene.ID()


REFERENCES = {
    "assignee": UserType,
    "company": CompanyType,
    "contact": ContactType,
    "lead": LeadType,
    "deal": DealType,
}


def activity_values(info: Any, data: Any) -> dict[str, Any]:
    values = input_values(data, references=REFERENCES, info=info)
    return {name: "" if value is None and name in TEXT_FIELDS else value for name, value in values.items()}
