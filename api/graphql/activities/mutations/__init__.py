"""Activities' root mutations."""

import graphene

from api.graphql.activities.mutations.activity_complete import ActivityComplete
from api.graphql.activities.mutations.activity_create import ActivityCreate
from api.graphql.activities.mutations.activity_delete import ActivityDelete
from api.graphql.activities.mutations.activity_update import ActivityUpdate


class ActivitiesMutations(graphene.ObjectType):
    activity_create = ActivityCreate.Field()
    activity_update = ActivityUpdate.Field()
    activity_complete = ActivityComplete.Field()
    activity_delete = ActivityDelete.Field()
