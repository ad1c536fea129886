"""The order line list (``/orders/lines/``), declared for the list framework: every line of the
orders the reader may see, with its order, date, company, product and amounts. It is where a
report's groups of order lines open (``report_sources``: the ``order_lines`` source's list), so its
filters say what such a group can: the order's status and owner, its date range, the product, the
order, the company."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.lists import owner_options
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.sales.choices import OrderStatus
from modules.sales.models import Order, OrderLine
from modules.sales.selectors.orders import filter_orders

NONE = "none"


def visible_order_lines(user: Any) -> QuerySet[OrderLine]:
    """Lines of the orders ``user`` may see (an order's lines follow its owner)."""
    return restrict_to_visible(OrderLine.objects.all(), user, owner_field="order__owner")


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and not value_problem(int(value)) else None


def filter_order_lines(lines: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``lines`` narrowed by the list's parameters: the orders' own filters (status, owner, owners,
    company, date range) through the order list's selector, then the line's product (``none``: free
    text lines), its order and a search; values that name nothing are ignored."""
    order_params = {
        key: params[key] for key in ("status", "owner", "owners", "company", "from", "to") if params.get(key)
    }
    if order_params:
        lines = lines.filter(order__in=filter_orders(Order.objects.all(), order_params).values("pk"))  # type: ignore[arg-type]
    product = params.get("product", "")
    if product == NONE:
        lines = lines.filter(product__isnull=True)
    elif _id(product) is not None:
        lines = lines.filter(product_id=_id(product))
    if _id(params.get("order", "")) is not None:
        lines = lines.filter(order_id=_id(params["order"]))
    query = params.get("q", "").strip()
    if query:
        lines = lines.filter(
            Q(description__icontains=query) | Q(product__name__icontains=query) | Q(order__number__icontains=query)
        )
    return lines


def _order_url(line: OrderLine) -> str:
    return reverse("sales:order-detail", args=[line.order_id])


def _product_url(line: OrderLine) -> str:
    return reverse("sales:product-edit", args=[line.product_id]) if line.product_id else ""  # free text: no link


ORDER_LINES = ListDefinition(
    key=register_list_key("order_line"),
    title=_("Order lines"),
    namespace="sales",
    prefix="order-line",
    module_permission="sales",
    rows=lambda user: visible_order_lines(user).select_related("order", "order__company", "order__owner", "product"),
    apply_filters=filter_order_lines,
    filters=(
        Filter("q", _("Product, description or order number")),
        Filter("status", _("Order status"), options=lambda user: OrderStatus.choices),
        Filter("owner", _("Owner"), options=owner_options, any_label=_("Anyone")),
        Filter("from", _("From"), input_type="date"),
        Filter("to", _("To"), input_type="date"),
    ),
    # From report groups and links: ``product`` (``none``: lines without one), ``order``,
    # ``company`` and ``owners`` (a team).
    hidden_filters=("product", "order", "company", "owners"),
    columns=(
        Column("order", _("Order"), "lists/cells/number_link.html", value="order.number", url=_order_url, sort="order"),
        Column("ordered_on", _("Order date"), "lists/cells/date.html", value="order.ordered_on", sort="ordered"),
        Column("company", _("Company"), value="order.company.name"),
        Column("product", _("Product"), "sales/cells/line_product.html", value="product.name", url=_product_url),
        Column("description", _("Description"), phone=True),
        Column("quantity", _("Quantity"), numeric=True, sort="quantity"),
        Column(
            "net_amount",
            _("Net amount"),
            value=lambda line: f"{line.net_amount:,.2f} {line.order.currency}",
            numeric=True,
            sort="net",
            phone=True,
        ),
        Column("status", _("Order status"), value="order.get_status_display", default=False),
        Column("owner", _("Owner"), "lists/cells/user.html", value="order.owner", default=False),
    ),
    sorts={"ordered": "order__ordered_on", "order": "order__number", "net": "net_amount", "quantity": "quantity"},
    default_sort="-ordered",
    custom_fields=False,
    owner_field=None,
    empty_text=_("No order lines match."),
    url_names={"list": "sales:order-line-list"},
)
