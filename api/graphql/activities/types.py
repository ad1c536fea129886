"""GraphQL type of activities: tasks, calls, meetings, e-mails and notes."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import ACTIVITY
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.contacts.types import CompanyType, ContactType, visible_companies, visible_contacts
from api.graphql.core import (
    CountableConnection,
    Node,
    choice_field,
    enum_from_choices,
    module_enabled,
    require_permission,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.sales.types import DealType, LeadType, visible_deals, visible_leads
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities.choices import ActivityKind, ActivityStatus, Direction, Outcome, Priority
from modules.activities.models import Activity

ActivityKindEnum = choice_enum(ActivityKind)
ActivityStatusEnum = choice_enum(ActivityStatus)
PriorityEnum = enum_from_choices("Priority", Priority)
DirectionEnum = enum_from_choices("Direction", Direction)
OutcomeEnum = enum_from_choices("Outcome", Outcome)


class ActivityType(DjangoObjectType):
    """A task, call, meeting, e-mail or note about a company, contact, lead or deal. For meetings
    ``dueAt`` is the start and ``endsAt`` the end. ``origin`` is the activity whose completion planned this one."""

    kind = choice_field(ActivityKindEnum, "kind")
    status = choice_field(ActivityStatusEnum, "status")
    priority = choice_field(PriorityEnum, "priority")
    direction = choice_field(DirectionEnum, "direction", required=False)
    outcome = choice_field(OutcomeEnum, "outcome", required=False)
    assignee = graphene.Field(UserType)
    completed_by = graphene.Field(UserType)
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    lead = graphene.Field(LeadType, description="Null while the sales module is not enabled.")
    deal = graphene.Field(DealType, description="Null while the sales module is not enabled.")
    origin = graphene.Field(lambda: ActivityType)

    custom_fields_entity: ClassVar[str] = ACTIVITY.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Activity
        name = ACTIVITY.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(ACTIVITY)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Activity], info: Any) -> QuerySet[Activity]:
        user = require_permission(info, ACTIVITY.permission("view"))
        return (
            restrict_to_visible(queryset, user, owner_field="assignee")
            .select_related("assignee", "completed_by")
            .prefetch_related(
                Prefetch("company", queryset=visible_companies(user)),
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("lead", queryset=visible_leads(user)),
                Prefetch("deal", queryset=visible_deals(user)),
                Prefetch("origin", queryset=restrict_to_visible(Activity.objects.all(), user, owner_field="assignee")),
            )
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> Activity | None:
        queryset = cls.get_queryset(Activity.objects.all(), info)
        return queryset.filter(pk=int(id)).first() if id.isdigit() else None

    @staticmethod
    def resolve_assignee(root: Activity, info: Any) -> User | None:
        return root.assignee

    @staticmethod
    def resolve_completed_by(root: Activity, info: Any) -> User | None:
        return root.completed_by

    @staticmethod
    def resolve_company(root: Activity, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_contact(root: Activity, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_lead(root: Activity, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType) if module_enabled(info, "sales") else None

    @staticmethod
    def resolve_deal(root: Activity, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType) if module_enabled(info, "sales") else None

    @staticmethod
    def resolve_origin(root: Activity, info: Any) -> Activity | None:
        return visible_link(root, info, "origin", ActivityType)  # type: ignore[no-any-return]


describe_fields(ActivityType, ACTIVITY)
