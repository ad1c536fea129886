"""Activities' root field."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.graphql.activities.types import ActivityKindEnum, ActivityStatusEnum, ActivityType
from api.graphql.core import enum_value, id_argument, order_records, ordering_enum, search_records
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from customization.fields.choices import Entity
from modules.activities.models import Activity

ActivityOrderBy = ordering_enum(
    "ActivityOrderBy", {"DUE_AT": "due_at", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
)
LINKS = {"company": "Company", "contact": "Contact", "lead": "Lead", "deal": "Deal"}


class ActivitiesQueries(graphene.ObjectType):
    activities = CustomFieldsConnectionField(
        ActivityType,
        entity=Entity.ACTIVITY,
        kind=graphene.Argument(ActivityKindEnum),
        status=graphene.Argument(ActivityStatusEnum),
        assignee=graphene.ID(description="A User id."),
        company=graphene.ID(description="A Company id."),
        contact=graphene.ID(description="A Contact id."),
        lead=graphene.ID(description="A Lead id."),
        deal=graphene.ID(description="A Deal id."),
        search=graphene.String(description="Words of the subject or details."),
        order_by=graphene.Argument(ActivityOrderBy, description="Id order when not given."),
        description="Activities assigned to users whose records you can see.",
    )

    def resolve_activities(self, info: Any, **args: Any) -> QuerySet[Activity]:
        # ConnectionField passes the result through ActivityType.get_queryset (permission, visibility, prefetching).
        queryset = Activity.objects.all()
        for name in ("kind", "status"):
            if args.get(name) is not None:
                queryset = queryset.filter(**{name: enum_value(args[name])})
        if args.get("assignee") is not None:
            queryset = queryset.filter(assignee_id=id_argument(args["assignee"], "User", "assignee"))
        for name, type_name in LINKS.items():
            if args.get(name) is not None:
                queryset = queryset.filter(**{f"{name}_id": id_argument(args[name], type_name, name)})
        return order_records(search_records(queryset, args.get("search"), "subject"), args.get("order_by"))
