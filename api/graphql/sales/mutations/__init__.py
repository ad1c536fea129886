"""Sales' root mutations."""

import graphene

from api.graphql.sales.mutations.deal_create import DealCreate
from api.graphql.sales.mutations.deal_delete import DealDelete
from api.graphql.sales.mutations.deal_move import DealMove
from api.graphql.sales.mutations.deal_update import DealUpdate
from api.graphql.sales.mutations.lead_convert import LeadConvert
from api.graphql.sales.mutations.lead_create import LeadCreate
from api.graphql.sales.mutations.lead_delete import LeadDelete
from api.graphql.sales.mutations.lead_update import LeadUpdate


class SalesMutations(graphene.ObjectType):
    lead_create = LeadCreate.Field()
    lead_update = LeadUpdate.Field()
    lead_delete = LeadDelete.Field()
    lead_convert = LeadConvert.Field()
    deal_create = DealCreate.Field()
    deal_update = DealUpdate.Field()
    deal_delete = DealDelete.Field()
    deal_move = DealMove.Field()
