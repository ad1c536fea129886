"""Quotes: created from a deal, priced line by line, sent, accepted or declined, exported as PDF."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.visibility import restrict_to_visible
from modules.lists import views as lists
from modules.sales.catalog_forms import PricedLineForm, QuoteForm
from modules.sales.catalog_lists import QUOTES
from modules.sales.catalog_views import sales_page
from modules.sales.catalog_views.lines import LineDocument, line_views
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


def _detail(
    request: HttpRequest,
    quote: Quote,
    *,
    line_form: PricedLineForm | None = None,
    header_form: QuoteForm | None = None,
    edited: tuple[int, PricedLineForm] | None = None,
    shared_link: str = "",
) -> HttpResponse:
    header_form = header_form or QuoteForm(
        initial={
            "price_list": quote.price_list_id,
            "valid_until": quote.valid_until,
            "discount_percent": quote.discount_percent,
            "notes": quote.notes,
        },
        currency=quote.currency,
    )
    line_form = line_form or PricedLineForm()
    status = 400 if line_form.errors or header_form.errors or (edited and edited[1].errors) else 200
    return render(
        request,
        "sales/quotes/quote_detail.html",
        {
            "quote": quote,
            "lines": QUOTE_LINES.lines_with_forms(quote, edited),
            "line_form": line_form,
            "header_form": header_form,
            "next_statuses": [(value, QuoteStatus(value).label) for value in TRANSITIONS.get(quote.status, ())],
            "is_draft": quote.status == QuoteStatus.DRAFT,
            "quote_order": Order.objects.filter(quote=quote).first() if quote.status == QuoteStatus.ACCEPTED else None,
            "sharing": sharing_state(quote),
            "shared_link": shared_link,
        }
        | QUOTE_LINES.page_context(quote),
        status=status,
    )


def _quote_price(quote: Quote, product: Product) -> Decimal:
    return list_price(product, currency=quote.currency, price_list=quote.price_list)


QUOTE_LINES = LineDocument(
    name="quote",
    line_model=QuoteLine,
    fetch=_quote,
    detail=_detail,
    add=add_line,
    update=update_line,
    remove=remove_line,
    price=_quote_price,
    hint=gettext_lazy(
        "Choosing a product fills description, price (from the quote's price list when it lists the product) and tax."
    ),
)
quote_line_add, quote_line_edit, quote_line_delete, quote_line_prefill = line_views(QUOTE_LINES)


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
