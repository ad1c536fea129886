"""Order pages: the list (on the list framework), the detail with its lines, totals, status buttons,
notes and files and timeline (both loaded by htmx), the create and edit forms, and orders from
quotes."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.visibility import restrict_to_visible
from modules.contacts.services.money import base_currency
from modules.lists import views as lists
from modules.sales.catalog_forms import PricedLineForm
from modules.sales.catalog_lists import ORDERS
from modules.sales.catalog_views import sales_page
from modules.sales.catalog_views.lines import LineDocument, line_views
from modules.sales.choices import OrderStatus
from modules.sales.models import Deal, Order, OrderLine, Product, Quote
from modules.sales.order_forms import OrderForm
from modules.sales.selectors.deals import visible_companies, visible_contacts
from modules.sales.selectors.orders import visible_orders
from modules.sales.services.orders import (
    TRANSITIONS,
    add_order_line,
    create_order,
    create_order_from_quote,
    delete_order,
    remove_order_line,
    set_order_status,
    update_order,
    update_order_line,
)


def _order(request: HttpRequest, pk: int) -> Order:
    queryset = visible_orders(signed_in_user(request)).select_related("company", "contact", "deal", "quote", "owner")
    return get_object_or_404(queryset, pk=pk)


@sales_page("sales.view")
def order_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, ORDERS)


@sales_page("sales.view", "sales.change")
@require_POST
def order_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, ORDERS)


@sales_page("sales.view")
@require_POST
def order_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, ORDERS)


@sales_page("sales.view")
@require_POST
def order_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, ORDERS)


def _detail(
    request: HttpRequest,
    order: Order,
    *,
    line_form: PricedLineForm | None = None,
    edited: tuple[int, PricedLineForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    line_form = line_form or PricedLineForm()
    if line_form.errors or (edited and edited[1].errors):
        status = 400
    return render(
        request,
        "sales/orders/detail.html",
        {
            "order": order,
            "lines": ORDER_LINES.lines_with_forms(order, edited),
            "line_form": line_form,
            "next_statuses": [(value, OrderStatus(value).label) for value in TRANSITIONS.get(order.status, ())],
            "custom_details": detail_sections("order", order, user=signed_in_user(request)),
        }
        | ORDER_LINES.page_context(order),
        status=status,
    )


def _order_price(order: Order, product: Product) -> Decimal:
    """A product's own price, when it is in the order's currency (orders have no price list)."""
    if product.currency != order.currency:
        raise ValidationError(
            _("%(product)s is priced in %(product_currency)s; this order is in %(currency)s.")
            % {"product": product.name, "product_currency": product.currency, "currency": order.currency}
        )
    return product.unit_price


ORDER_LINES = LineDocument(
    name="order",
    line_model=OrderLine,
    fetch=_order,
    detail=_detail,
    add=add_order_line,
    update=update_order_line,
    remove=remove_order_line,
    price=_order_price,
    hint=gettext_lazy("Choosing a product fills description, price (in the order's currency) and tax."),
)
order_line_add, order_line_edit, order_line_delete, order_line_prefill = line_views(ORDER_LINES)


@sales_page("sales.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _order(request, pk))


def _form(request: HttpRequest, order: Order | None) -> OrderForm:
    user = signed_in_user(request)
    if order is None:
        initial: dict[str, object] = {"owner": user, "currency": base_currency(), "ordered_on": timezone.localdate()}
        for name in ("company", "contact", "deal"):
            if request.GET.get(name, "").isdigit():
                initial[name] = int(request.GET[name])
    else:
        initial = OrderForm.initial_for(order)
    form = OrderForm(
        request.POST or None,
        initial=initial,
        companies=visible_companies(user),
        contacts=visible_contacts(user),
        deals=restrict_to_visible(Deal.objects.all(), user),
        pricing=order is None or order.is_editable,
    )
    form.add_custom_fields("order", user=user, current=order.custom if order else None)
    return form


@sales_page("sales.view", "sales.change")
def order_create(request: HttpRequest) -> HttpResponse:
    form = _form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            order = create_order(by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Order %(number)s is created. Add its lines.") % {"number": order.number})
            return redirect("sales:order-detail", pk=order.pk)
    return render(request, "sales/orders/form.html", {"form": form, "order": None}, status=form_status(form))


@sales_page("sales.view", "sales.change")
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = _form(request, order)
    if request.method == "POST" and form.is_valid():
        try:
            update_order(order, by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            order.refresh_from_db()
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Order %(number)s is saved.") % {"number": order.number})
            return redirect("sales:order-detail", pk=order.pk)
    return render(request, "sales/orders/form.html", {"form": form, "order": order}, status=form_status(form))


@sales_page("sales.view", "sales.change")
@require_POST
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        order = set_order_status(order, request.POST.get("status", ""), by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, _order(request, pk), status=400)
    messages.success(
        request, _("Order %(number)s: %(status)s.") % {"number": order.number, "status": order.get_status_display()}
    )
    return redirect("sales:order-detail", pk=order.pk)


@sales_page("sales.view", "sales.delete")
@require_POST
def order_delete(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    delete_order(order, by=signed_in_user(request))
    messages.success(request, _("Order %(number)s is deleted.") % {"number": order.number})
    return redirect("sales:order-list")


@sales_page("sales.view", "sales.change")
@require_POST
def order_from_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """The order of an accepted quote (the one it already has, when asked again)."""
    quote = get_object_or_404(restrict_to_visible(Quote.objects.all(), signed_in_user(request)), pk=pk)
    try:
        order = create_order_from_quote(quote, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:quote-detail", pk=quote.pk)
    messages.success(request, _("Order %(number)s is created from the quote.") % {"number": order.number})
    return redirect("sales:order-detail", pk=order.pk)
