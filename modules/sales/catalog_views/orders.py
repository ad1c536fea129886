"""Order pages: the list (on the list framework), the detail with its
lines, totals, status buttons and history, the create and edit forms, and orders from quotes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.visibility import restrict_to_visible
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.contacts.services.money import base_currency
from modules.lists import views as lists
from modules.sales.catalog_lists import ORDERS
from modules.sales.catalog_views import sales_page
from modules.sales.choices import OrderStatus
from modules.sales.models import Deal, Order, OrderLine, Product, Quote
from modules.sales.order_forms import OrderForm, OrderLineForm
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

HISTORY_SIZE = 50


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


def _history(order: Order) -> list[TimelineEntry]:
    entries = TimelineEntry.objects.filter(kind=TimelineKind.ORDER, data__order=order.pk).select_related("actor")
    return list(entries.order_by("-occurred_at", "-id")[:HISTORY_SIZE])


def _detail(
    request: HttpRequest,
    order: Order,
    *,
    line_form: OrderLineForm | None = None,
    edited: tuple[int, OrderLineForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    lines = list(order.lines.select_related("product").order_by("position", "id"))
    for line in lines:
        form = edited[1] if edited and edited[0] == line.pk else _line_form(line)
        line.edit_form = form  # type: ignore[attr-defined]
    line_form = line_form or OrderLineForm()
    if line_form.errors or (edited and edited[1].errors):
        status = 400
    return render(
        request,
        "sales/orders/detail.html",
        {
            "order": order,
            "lines": lines,
            "line_form": line_form,
            "next_statuses": [(value, OrderStatus(value).label) for value in TRANSITIONS.get(order.status, ())],
            "history": _history(order),
            "custom_details": detail_sections("order", order, user=signed_in_user(request)),
        },
        status=status,
    )


def _line_form(line: OrderLine, data: object = None) -> OrderLineForm:
    initial = {name: getattr(line, name) for name in OrderLineForm.base_fields if name != "product"}
    initial["product"] = line.product_id
    return OrderLineForm(data, initial=initial, prefix=f"line-{line.pk}")  # type: ignore[arg-type]


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
def order_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = OrderLineForm(request.POST)
    if form.is_valid():
        try:
            add_order_line(order, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("sales:order-detail", pk=order.pk)
    return _detail(request, order, line_form=form)


@sales_page("sales.view", "sales.change")
@require_POST
def order_line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    order = _order(request, pk)
    line = get_object_or_404(OrderLine.objects.select_related("order"), pk=line_pk, order=order)
    form = _line_form(line, request.POST)
    if form.is_valid():
        try:
            update_order_line(line, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("sales:order-detail", pk=order.pk)
    line.refresh_from_db()
    return _detail(request, order, edited=(line.pk, form))


@sales_page("sales.view", "sales.change")
@require_POST
def order_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    order = _order(request, pk)
    line = get_object_or_404(OrderLine.objects.select_related("order"), pk=line_pk, order=order)
    try:
        remove_order_line(line, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sales:order-detail", pk=order.pk)


@sales_page("sales.view")
def order_line_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """The line form's fields filled from the chosen product (htmx swaps them in)."""
    order = _order(request, pk)
    product_id = request.GET.get("product", "")
    initial: dict[str, object] = {"quantity": request.GET.get("quantity") or 1}
    error = ""
    if product_id.isdigit():
        product = Product.objects.filter(pk=int(product_id), is_active=True).first()
        if product is None:
            raise Http404(_("No such product."))
        initial.update(product=product.pk, description=product.name, tax_rate=product.tax_rate)
        if product.currency == order.currency:
            initial["unit_price"] = product.unit_price
        else:
            error = _("%(product)s is priced in %(product_currency)s; this order is in %(currency)s.") % {
                "product": product.name, "product_currency": product.currency, "currency": order.currency,
            }  # fmt: skip
    return render(
        request,
        "sales/orders/_line_fields.html",
        {"line_form": OrderLineForm(initial=initial), "order": order, "prefill_error": error},
    )


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
