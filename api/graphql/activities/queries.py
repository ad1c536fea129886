"""Activities' root field, with the filters and orderings of the activity description
(``api.entities.activities``)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities import ACTIVITY
from api.entities.graphql import connection_arguments, filter_records, order_by_enum
from api.graphql.activities.types import ActivityType
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from modules.activities.models import Activity

ActivityOrderBy = order_by_enum(ACTIVITY)


class ActivitiesQueries(graphene.ObjectType):
    activities = CustomFieldsConnectionField(
        ActivityType,
        entity=ACTIVITY.custom_entity,
        **connection_arguments(ACTIVITY),
        description="Activities assigned to users whose records you can see.",
    )

    def resolve_activities(self, info: Any, **args: Any) -> QuerySet[Activity]:
        # ConnectionField passes the result through ActivityType.get_queryset (permission, visibility, prefetching).
        return filter_records(ACTIVITY, Activity.objects.all(), args)
