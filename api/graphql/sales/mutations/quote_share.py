from __future__ import annotations

from typing import Any

import graphene
from django.urls import reverse

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.quotes import QuoteShareType, QuoteType
from identity.models import User
from modules.sales.services.quote_sharing import revoke_share, share_quote


class QuoteShareCreate(RecordMutation):
    """Make a link to the public page of a quote you can see, where the customer accepts or
    declines it: a draft is sent first, earlier links end. ``token`` and ``url`` are answered only
    here (only the token's SHA-256 is kept); an answered quote, or one whose validity has ended,
    cannot be shared."""

    class Arguments:
        quote = graphene.ID(required=True)

    share = graphene.Field(QuoteShareType)
    token = graphene.String(description="The link's secret, shown only in this answer.")
    url = graphene.String(description="The public page, for the customer.")
    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteShareCreate")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        quote = resolve_reference(info, data["quote"], QuoteType, "quote")
        share, token = share_quote(quote, by=user)
        url = info.context.build_absolute_uri(reverse("quote-public:page", args=[token]))
        return {
            "share": reloaded(QuoteShareType, info, share),
            "token": token,
            "url": url,
            "quote": reloaded(QuoteType, info, quote),
        }


class QuoteShareWithdraw(RecordMutation):
    """Withdraw a link to a quote's public page: it no longer opens the quote (an answered link
    stays as it is)."""

    class Arguments:
        id = graphene.ID(required=True)

    share = graphene.Field(QuoteShareType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteShareWithdraw")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        share = resolve_reference(info, data["id"], QuoteShareType, "id")
        revoke_share(share, by=user)
        return {"share": reloaded(QuoteShareType, info, share)}
