"""Sharing a quote with the customer: a secret link to its public page (shown once), revoked at will."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from modules.sales.catalog_views import sales_page
from modules.sales.catalog_views.quotes import _detail, _quote
from modules.sales.models import QuoteShare
from modules.sales.services.quote_sharing import revoke_share, share_quote


@sales_page("sales.view", "sales.change")
@require_POST
def quote_share(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        _share, token = share_quote(quote, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        response = _detail(request, quote)
        response.status_code = 400
        return response
    quote.refresh_from_db()
    link = request.build_absolute_uri(reverse("quote-public:page", args=[token]))
    # The token is not stored: this answer is the only place it is shown, so it is not a redirect.
    response = _detail(request, quote, shared_link=link)
    response["Cache-Control"] = "no-store"
    return response


@sales_page("sales.view", "sales.change")
@require_POST
def quote_share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    share = get_object_or_404(QuoteShare, pk=share_pk, quote=quote)
    revoke_share(share, by=signed_in_user(request))
    messages.success(request, _("The link is withdrawn: it no longer opens the quote."))
    return redirect("sales:quote-detail", pk=quote.pk)
