"""Quotes: created from a deal, priced line by line, sent, accepted or declined, exported as PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.visibility import restrict_to_visible
from modules.lists import views as lists
from modules.sales.catalog_forms import QuoteForm, QuoteLineForm
from modules.sales.catalog_lists import QUOTES
from modules.sales.catalog_views import sales_page
from modules.sales.choices import QuoteStatus
from modules.sales.models import Deal, Order, Product, Quote, QuoteLine
from modules.sales.quote_pdf import render_quote_pdf, workspace_seller
from modules.sales.services.catalog import list_price
from modules.sales.services.quote_sharing import sharing_state
from modules.sales.services.quotes import (
    TRANSITIONS,
    add_line,
    create_quote,
    remove_line,
    set_status,
    update_line,
    update_quote,
)

PAGE_SIZE = 50


def visible_quotes(request: HttpRequest) -> QuerySet[Quote]:
    return restrict_to_visible(Quote.objects.all(), signed_in_user(request))


def _quote(request: HttpRequest, pk: int) -> Quote:
    return get_object_or_404(
        visible_quotes(request).select_related("deal", "company", "contact", "owner", "price_list"), pk=pk
    )


@sales_page("sales.view")
def quote_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, QUOTES)


@sales_page("sales.view", "sales.change")
@require_POST
def quote_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, QUOTES)


@sales_page("sales.view")
@require_POST
def quote_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, QUOTES)


@sales_page("sales.view")
@require_POST
def quote_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, QUOTES)


@sales_page("sales.view", "sales.change")
def quote_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    deal_id = request.GET.get("deal", "")
    if not deal_id.isdigit():
        messages.info(request, _("Open a deal and create its quote from there."))
        return redirect("sales:deal-list")
    deal = get_object_or_404(
        restrict_to_visible(Deal.objects.select_related("company", "contact"), user), pk=int(deal_id)
    )
    form = QuoteForm(request.POST or None, currency=deal.currency)
    if request.method == "POST" and form.is_valid():
        try:
            quote = create_quote(deal=deal, by=user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Quote %(number)s is created.") % {"number": quote.number})
            return redirect("sales:quote-detail", pk=quote.pk)
    return render(request, "sales/quotes/quote_create.html", {"form": form, "deal": deal}, status=form_status(form))


def line_edit_form(line: QuoteLine, data: object = None) -> QuoteLineForm:
    initial = {name: getattr(line, name) for name in QuoteLineForm.base_fields if name != "product"}
    initial["product"] = line.product_id
    return QuoteLineForm(data, initial=initial, prefix=f"line-{line.pk}")  # type: ignore[arg-type]


def _detail(
    request: HttpRequest,
    quote: Quote,
    *,
    line_form: QuoteLineForm | None = None,
    header_form: QuoteForm | None = None,
    edited: tuple[int, QuoteLineForm] | None = None,
    shared_link: str = "",
) -> HttpResponse:
    lines = list(quote.lines.select_related("product").order_by("position", "id"))
    for line in lines:
        line.edit_form = edited[1] if edited and edited[0] == line.pk else line_edit_form(line)  # type: ignore[attr-defined]
    header_form = header_form or QuoteForm(
        initial={
            "price_list": quote.price_list_id,
            "valid_until": quote.valid_until,
            "discount_percent": quote.discount_percent,
            "notes": quote.notes,
        },
        currency=quote.currency,
    )
    line_form = line_form or QuoteLineForm()
    status = 400 if line_form.errors or header_form.errors or (edited and edited[1].errors) else 200
    return render(
        request,
        "sales/quotes/quote_detail.html",
        {
            "quote": quote,
            "lines": lines,
            "line_form": line_form,
            "header_form": header_form,
            "next_statuses": [(value, QuoteStatus(value).label) for value in TRANSITIONS.get(quote.status, ())],
            "is_draft": quote.status == QuoteStatus.DRAFT,
            "quote_order": Order.objects.filter(quote=quote).first() if quote.status == QuoteStatus.ACCEPTED else None,
            "sharing": sharing_state(quote),
            "shared_link": shared_link,
        },
        status=status,
    )


@sales_page("sales.view")
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _quote(request, pk))


@sales_page("sales.view", "sales.change")
@require_POST
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = QuoteForm(request.POST, currency=quote.currency)
    if form.is_valid():
        try:
            update_quote(quote, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Quote %(number)s is saved.") % {"number": quote.number})
            return redirect("sales:quote-detail", pk=quote.pk)
    quote.refresh_from_db()
    return _detail(request, quote, header_form=form)


@sales_page("sales.view", "sales.change")
@require_POST
def quote_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = QuoteLineForm(request.POST)
    if form.is_valid():
        try:
            add_line(quote, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("sales:quote-detail", pk=quote.pk)
    return _detail(request, quote, line_form=form)


@sales_page("sales.view", "sales.change")
@require_POST
def quote_line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=line_pk, quote=quote)
    form = line_edit_form(line, request.POST)
    if form.is_valid():
        try:
            update_line(line, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("sales:quote-detail", pk=quote.pk)
    line.refresh_from_db()
    return _detail(request, quote, edited=(line.pk, form))


@sales_page("sales.view", "sales.change")
@require_POST
def quote_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=line_pk, quote=quote)
    try:
        remove_line(line, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sales:quote-detail", pk=quote.pk)


@sales_page("sales.view")
def quote_line_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """The line form's fields filled from the chosen product (htmx swaps them in)."""
    quote = _quote(request, pk)
    product_id = request.GET.get("product", "")
    initial: dict[str, object] = {"quantity": request.GET.get("quantity") or 1}
    error = ""
    if product_id.isdigit():
        product = Product.objects.filter(pk=int(product_id), is_active=True).first()
        if product is None:
            raise Http404(_("No such product."))
        initial.update(product=product.pk, description=product.name, tax_rate=product.tax_rate)
        try:
            initial["unit_price"] = list_price(product, currency=quote.currency, price_list=quote.price_list)
        except ValidationError as failure:
            error = " ".join(failure.messages)
    return render(
        request,
        "sales/quotes/_line_fields.html",
        {"line_form": QuoteLineForm(initial=initial), "quote": quote, "prefill_error": error},
    )


@sales_page("sales.view", "sales.change")
@require_POST
def quote_status(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        set_status(quote, request.POST.get("status", ""), by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        response = _detail(request, quote)
        response.status_code = 400
        return response
    messages.success(
        request,
        _("Quote %(number)s: %(status)s.") % {"number": quote.number, "status": quote.get_status_display()},
    )
    return redirect("sales:quote-detail", pk=quote.pk)


@sales_page("sales.view")
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    lines = list(quote.lines.order_by("position", "id"))
    content = render_quote_pdf(quote, lines, seller=workspace_seller())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response
