"""Service's root mutations."""

import graphene

from api.graphql.service.mutations.case_create import CaseCreate
from api.graphql.service.mutations.case_message_add import CaseMessageAdd
from api.graphql.service.mutations.case_update import CaseDelete, CaseUpdate


class ServiceMutations(graphene.ObjectType):
    case_create = CaseCreate.Field()
    case_update = CaseUpdate.Field()
    case_delete = CaseDelete.Field()
    case_message_add = CaseMessageAdd.Field()
