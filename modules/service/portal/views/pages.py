"""The portal's home, the customer's quotes (accepted or declined here through the quote's link
service) and orders, and their account (a password besides e-mailed links)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from modules.sales.choices import QuoteStatus
from modules.sales.models import Quote
from modules.sales.services.quote_sharing import active_share
from modules.service.models.case import active_case
from modules.service.portal.forms import AcceptQuoteForm, DeclineQuoteForm, PasswordForm
from modules.service.portal.selectors import portal_cases, portal_orders, portal_quotes
from modules.service.portal.services.requests import answer_quote
from modules.service.portal.services.sign_in import set_password
from modules.service.portal.views.base import address, current, portal_page, portal_render

LIST_LIMIT = 100
HOME_ROWS = 5


@require_GET
@portal_page
def home(request: HttpRequest) -> HttpResponse:
    portal_user = current(request)
    cases = portal_cases(portal_user)
    context = {
        "open_cases": list(cases.filter(active_case())[:HOME_ROWS]),
        "open_quotes": list(portal_quotes(portal_user).filter(status=QuoteStatus.SENT)[:HOME_ROWS]),
        "recent_orders": list(portal_orders(portal_user)[:HOME_ROWS]),
        "section": "home",
    }
    return portal_render(request, "service/portal/home.html", context)


@require_GET
@portal_page
def quote_list(request: HttpRequest) -> HttpResponse:
    quotes = list(portal_quotes(current(request))[:LIST_LIMIT])
    return portal_render(request, "service/portal/quotes.html", {"quotes": quotes, "section": "quotes"})


def _quote(request: HttpRequest, pk: int) -> Quote:
    quote = portal_quotes(current(request)).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


def _quote_page(request: HttpRequest, quote: Quote, *, accept: AcceptQuoteForm | None = None,
                decline: DeclineQuoteForm | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    context = {
        "quote": quote,
        "lines": list(quote.lines.order_by("position", "id")),
        "answerable": quote.status == QuoteStatus.SENT and active_share(quote) is not None,
        "accept_form": accept or AcceptQuoteForm(),
        "decline_form": decline or DeclineQuoteForm(),
        "section": "quotes",
    }
    return portal_render(request, "service/portal/quote.html", context, status=status)


@require_GET
@portal_page
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _quote_page(request, _quote(request, pk))


@require_POST
@portal_page
def quote_answer(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    accept = request.POST.get("answer") == "accept"
    form: AcceptQuoteForm | DeclineQuoteForm = (
        AcceptQuoteForm(request.POST) if accept else DeclineQuoteForm(request.POST)
    )
    forms = {"accept": form} if accept else {"decline": form}
    if form.is_valid():
        try:
            answer_quote(
                current(request), quote, accept=accept, name=form.cleaned_data.get("name", ""),
                reason=form.cleaned_data.get("reason", ""), ip_address=address(request),
            )  # fmt: skip
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return redirect("portal:quote", pk=quote.pk)
    return _quote_page(request, quote, status=400, **forms)  # type: ignore[arg-type]


@require_GET
@portal_page
def order_list(request: HttpRequest) -> HttpResponse:
    orders = list(portal_orders(current(request))[:LIST_LIMIT])
    return portal_render(request, "service/portal/orders.html", {"orders": orders, "section": "orders"})


@require_GET
@portal_page
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the customer's orders: where it stands (its dates), its lines and totals, and the
    customer's cases about it."""
    portal_user = current(request)
    order = portal_orders(portal_user).filter(pk=pk).first()
    if order is None:
        raise Http404
    context = {
        "order": order,
        "lines": list(order.lines.order_by("position", "id")),
        "cases": list(portal_cases(portal_user).filter(order=order)[:LIST_LIMIT]),
        "steps": [
            (label, stamp)
            for label, stamp in (
                (_("Confirmed"), order.confirmed_at),
                (_("Fulfilled"), order.fulfilled_at),
                (_("Invoiced"), order.invoiced_at),
                (_("Paid"), order.paid_at),
                (_("Cancelled"), order.cancelled_at),
            )
            if stamp is not None
        ],
        "section": "orders",
    }
    return portal_render(request, "service/portal/order.html", context)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@portal_page
def account(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    saved = False
    if request.method == "POST":
        if form.is_valid():
            try:
                set_password(current(request), form.cleaned_data["password"], ip_address=address(request))
            except ValidationError as error:
                form.add_error("password", error.message_dict.get("password", error.messages))
            else:
                saved = True
                form = PasswordForm()
        status = 200 if saved else 400
        return portal_render(request, "service/portal/account.html", {"form": form, "saved": saved}, status=status)
    return portal_render(request, "service/portal/account.html", {"form": form, "section": "account"})
