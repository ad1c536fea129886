from modules.sales.models.deal import Deal, DealStageChange
from modules.sales.models.lead import Lead
from modules.sales.models.order import Order, OrderLine
from modules.sales.models.pipeline import LostReason, Pipeline, Stage
from modules.sales.models.priced_line import PricedLine
from modules.sales.models.product import PriceList, PriceListItem, Product
from modules.sales.models.quota import Quota
from modules.sales.models.quote import Quote, QuoteLine
from modules.sales.models.quote_share import QuoteShare

__all__ = [
    "Deal",
    "DealStageChange",
    "Lead",
    "LostReason",
    "Order",
    "OrderLine",
    "Pipeline",
    "PriceList",
    "PriceListItem",
    "PricedLine",
    "Product",
    "Quota",
    "Quote",
    "QuoteLine",
    "QuoteShare",
    "Stage",
]
