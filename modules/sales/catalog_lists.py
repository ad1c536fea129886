"""The product, quote and order lists, declared for the list framework (``modules.lists``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.choices import SavedViewEntity
from modules.contacts.lists import owner_options
from modules.lists.definition import BulkAction, Column, Filter, ListDefinition
from modules.sales.choices import OrderStatus, QuoteStatus
from modules.sales.models import Product, Quote
from modules.sales.selectors.orders import filter_orders, visible_orders
from modules.sales.services.catalog import set_product_active, update_product
from modules.sales.services.orders import delete_order, set_order_status, update_order
from modules.sales.services.quotes import set_status, update_quote


def _filter_products(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    state = params.get("active") or "active"
    if state == "active":
        queryset = queryset.filter(is_active=True)
    elif state == "inactive":
        queryset = queryset.filter(is_active=False)
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(sku__icontains=q))
    return queryset


def _update_product(product: Product, *, by: User | None, **values: Any) -> Product:
    return update_product(product, **values)


def _tax_rate_field(user: User) -> forms.Field:
    return forms.DecimalField(label=_("Tax rate (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100)


def _active_action(key: str, label: Any, active: bool) -> BulkAction:
    return BulkAction(
        key=key,
        label=label,
        run=lambda definition, row, data, user: set_product_active(row, active=active),
    )


PRODUCTS = ListDefinition(
    key=SavedViewEntity.PRODUCT,
    title=_("Products"),
    namespace="sales",
    prefix="product",
    module_permission="sales",
    change_code="sales.manage_catalog",
    delete_code="sales.manage_catalog",
    rows=lambda user: Product.objects.all(),
    apply_filters=_filter_products,
    filters=(
        Filter("q", _("Search name or SKU")),
        Filter(
            "active",
            _("Show"),
            options=lambda user: [("inactive", _("Deactivated products")), ("all", _("All products"))],
            any_label=_("Active products"),
        ),
    ),
    columns=(
        Column("name", _("Product"), "sales/cells/product_name.html", sort="name"),
        Column("sku", _("SKU"), "sales/cells/code.html", sort="sku"),
        Column("unit", _("Unit")),
        Column("unit_price", _("Unit price"), "sales/cells/unit_price.html", sort="unit_price", numeric=True),
        Column("tax_rate", _("Tax"), "sales/cells/percent.html", numeric=True),
        Column("is_active", _("Status"), "sales/cells/product_status.html", phone=True),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created", default=False),
    ),
    sorts={"name": "name", "sku": "sku", "unit_price": "unit_price", "created": "created_at"},
    default_sort="name",
    custom_fields=False,
    update=_update_product,
    owner_field=None,
    edit_fields=(("tax_rate", _("Tax rate"), _tax_rate_field),),
    actions=(
        _active_action("activate", _("Activate"), True),
        _active_action("deactivate", _("Deactivate"), False),
    ),
    toolbar="sales/products/list_toolbar.html",
    empty_text=_("No products match."),
    rows_name="products",
)


def _filter_quotes(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    if params.get("status") in QuoteStatus.values:
        queryset = queryset.filter(status=params["status"])
    owner = params.get("owner", "")
    if owner.isdigit():
        queryset = queryset.filter(owner_id=int(owner))
    elif owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(number__icontains=q) | Q(company__name__icontains=q) | Q(deal__name__icontains=q))
    return queryset


def _valid_until_field(user: User) -> forms.Field:
    return forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))


SET_QUOTE_STATUS = BulkAction(
    key="quote_status",
    label=_("Change status"),
    fields=lambda definition, user: {"quote_status": forms.ChoiceField(choices=QuoteStatus.choices, label=_("Status"))},
    run=lambda definition, row, data, user: set_status(row, data["quote_status"], by=user),
)

QUOTES = ListDefinition(
    key=SavedViewEntity.QUOTE,
    title=_("Quotes"),
    namespace="sales",
    prefix="quote",
    module_permission="sales",
    rows=lambda user: restrict_to_visible(Quote.objects.all(), user).select_related("deal", "company", "owner"),
    apply_filters=_filter_quotes,
    filters=(
        Filter("q", _("Number, company or deal")),
        Filter("status", _("Status"), options=lambda user: QuoteStatus.choices, any_label=_("Any status")),
    ),
    hidden_filters=("owner",),  # accepted from links; no control: its options would cost a query per view
    columns=(
        Column(
            "number",
            _("Number"),
            "lists/cells/number_link.html",
            url=lambda row: reverse("sales:quote-detail", args=[row.pk]),
            sort="number",
        ),
        Column("company", _("Company"), "contacts/cells/company.html"),
        Column("deal", _("Deal"), "sales/cells/deal.html"),
        Column("owner", _("Owner"), "lists/cells/user.html"),
        Column("issued_on", _("Issued"), "lists/cells/date.html", sort="issued"),
        Column("valid_until", _("Valid until"), "lists/cells/date.html", sort="valid_until", default=False),
        Column("status", _("Status"), "sales/cells/quote_status.html", phone=True),
        Column("total", _("Total"), "sales/cells/quote_total.html", sort="total", numeric=True, phone=True),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created", default=False),
    ),
    sorts={
        "created": "created_at",
        "number": "number",
        "issued": "issued_on",
        "valid_until": "valid_until",
        "total": "total",
    },
    default_sort="-created",
    custom_fields=False,
    update=update_quote,
    owner_field=None,
    edit_fields=(("valid_until", _("Valid until"), _valid_until_field),),
    actions=(SET_QUOTE_STATUS,),
    toolbar="sales/quotes/list_toolbar.html",
    empty_text=_("No quotes match."),
    rows_name="quotes",
)


def _filter_orders(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    return filter_orders(queryset, params)  # type: ignore[arg-type]


SET_ORDER_STATUS = BulkAction(
    key="order_status",
    label=_("Change status"),
    fields=lambda definition, user: {"order_status": forms.ChoiceField(choices=OrderStatus.choices, label=_("Status"))},
    run=lambda definition, row, data, user: set_order_status(row, data["order_status"], by=user),
)

ORDERS = ListDefinition(
    key=SavedViewEntity.ORDER,
    title=_("Orders"),
    namespace="sales",
    prefix="order",
    module_permission="sales",
    rows=lambda user: visible_orders(user).select_related("company", "contact", "owner"),
    apply_filters=_filter_orders,
    filters=(
        Filter("q", _("Number, company or contact")),
        Filter("status", _("Status"), options=lambda user: OrderStatus.choices),
        Filter("owner", _("Owner"), options=owner_options, any_label=_("Anyone")),
        Filter("from", _("From"), input_type="date"),
        Filter("to", _("To"), input_type="date"),
    ),
    # ``owners`` (a team), ``product`` (orders with a line of it) and ``status=placed`` (any status
    # but cancelled) come from dashboard widgets.
    hidden_filters=("company", "contact", "owners", "product"),
    columns=(
        Column(
            "number",
            _("Number"),
            "lists/cells/number_link.html",
            url=lambda row: reverse("sales:order-detail", args=[row.pk]),
            sort="number",
        ),
        Column("company", _("Company"), "contacts/cells/company.html"),
        Column("contact", _("Contact"), "sales/cells/contact.html", default=False),
        Column("ordered_on", _("Order date"), "lists/cells/date.html", sort="ordered"),
        Column("status", _("Status"), "sales/cells/order_status.html", phone=True),
        Column("owner", _("Owner"), "lists/cells/user.html"),
        Column("total", _("Total"), "sales/cells/quote_total.html", sort="total", numeric=True, phone=True),
        Column("updated_at", _("Updated"), "lists/cells/date.html", sort="updated", default=False),
    ),
    sorts={"ordered": "ordered_on", "total": "total", "number": "number", "updated": "updated_at"},
    default_sort="-ordered",
    update=update_order,
    delete=delete_order,
    actions=(SET_ORDER_STATUS,),
    toolbar="sales/orders/list_toolbar.html",
    empty_text=_("No orders match."),
    rows_name="orders",
)
