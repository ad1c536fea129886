"""Orders (the sales module): what a customer bought, with its lines and the status of its delivery
and payment."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    read_only,
    relation,
    text_exact,
    writable,
)
from api.entities.sales import OWNER, OWNER_FILTER
from customization.fields.choices import Entity
from modules.sales.choices import OrderStatus
from modules.sales.models import Order
from modules.sales.services.orders import create_order, delete_order, update_order

ORDER = EntityDescription(
    name="order",
    resource="orders",
    model=Order,
    module="sales",
    custom_entity=Entity.ORDER,
    timeline="order",
    graphql_type="Order",
    fields=(
        ID,
        Field("number", description="O-<year>-<sequence>, given on creation."),
        Field("status", description="Confirmed on creation; changes through the status action."),
        relation("company", "The customer company; an order has a company, a contact or both."),
        relation("contact", "The customer contact."),
        relation("deal", "The deal the order closes, if any."),
        relation("quote", "The accepted quote the order was made from.", read_only=True),
        OWNER,
        writable("currency", "ISO 4217 code; the tenant's base currency when not given."),
        writable("ordered_on", "The order date; today when not given."),
        writable("discount_percent", "Whole-order discount in %, 0 to 100."),
        writable("notes"),
        Field(
            "lines",
            writable=True,
            description="On creation only; afterwards lines change through the order's lines routes.",
            prefetch=("lines__product",),
        ),
        *read_only("subtotal", "discount_total", "tax_total", "total"),
        *read_only("confirmed_at", "fulfilled_at", "invoiced_at", "paid_at", "cancelled_at"),
        *TIMESTAMPS,
    ),
    filters=(
        OWNER_FILTER,
        choice("status", OrderStatus),
        by_id("company", "Company", "A Company id."),
        by_id("contact", "Contact", "A Contact id."),
        by_id("deal", "Deal", "A Deal id."),
        text_exact("number", "The order number (any case)."),
        Filter("ordered_after", FilterKind.DATE, field="ordered_on", lookup="gte", description="Ordered on or after."),
        Filter(
            "ordered_before", FilterKind.DATE, field="ordered_on", lookup="lte", description="Ordered on or before."
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("number", "ordered_on", "total", "created_at", "updated_at"),
    create=create_order,
    update=update_order,
    delete=delete_order,
)
