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
from api.graphql.sales.mutations.order_create import OrderCreate, OrderCreateFromQuote
from api.graphql.sales.mutations.order_lines import OrderLineAdd, OrderLineRemove, OrderLineUpdate
from api.graphql.sales.mutations.order_update import OrderDelete, OrderSetStatus, OrderUpdate
from api.graphql.sales.mutations.product_create import ProductCreate
from api.graphql.sales.mutations.product_update import ProductUpdate
from api.graphql.sales.mutations.quote_create import QuoteCreate
from api.graphql.sales.mutations.quote_line_add import QuoteLineAdd
from api.graphql.sales.mutations.quote_line_remove import QuoteLineRemove
from api.graphql.sales.mutations.quote_line_update import QuoteLineUpdate
from api.graphql.sales.mutations.quote_set_status import QuoteSetStatus
from api.graphql.sales.mutations.quote_share import QuoteShareCreate, QuoteShareWithdraw
from api.graphql.sales.mutations.quote_update import QuoteUpdate


class SalesMutations(graphene.ObjectType):
    lead_create = LeadCreate.Field()
    lead_update = LeadUpdate.Field()
    lead_delete = LeadDelete.Field()
    lead_convert = LeadConvert.Field()
    deal_create = DealCreate.Field()
    deal_update = DealUpdate.Field()
    deal_delete = DealDelete.Field()
    deal_move = DealMove.Field()
    product_create = ProductCreate.Field()
    product_update = ProductUpdate.Field()
    quote_create = QuoteCreate.Field()
    quote_update = QuoteUpdate.Field()
    quote_set_status = QuoteSetStatus.Field()
    quote_line_add = QuoteLineAdd.Field()
    quote_line_update = QuoteLineUpdate.Field()
    quote_line_remove = QuoteLineRemove.Field()
    quote_share_create = QuoteShareCreate.Field()
    quote_share_withdraw = QuoteShareWithdraw.Field()
    order_create = OrderCreate.Field()
    order_create_from_quote = OrderCreateFromQuote.Field()
    order_update = OrderUpdate.Field()
    order_delete = OrderDelete.Field()
    order_set_status = OrderSetStatus.Field()
    order_line_add = OrderLineAdd.Field()
    order_line_update = OrderLineUpdate.Field()
    order_line_remove = OrderLineRemove.Field()
