"""REST endpoints of a quote's public links (``/api/v1/quotes/<id>/shares/``), with the quote
endpoints' permissions: reading needs ``sales.view`` (scope ``sales:read``), making and withdrawing
a link ``sales.change`` (``sales:write``), on a quote the caller may see.

``POST`` makes a link (a draft quote is sent) and answers its token and URL once, with
``Cache-Control: no-store``: only the token's SHA-256 is kept, so neither the list nor a retried
request with the same ``Idempotency-Key`` shows it again. ``GET`` lists the links that still work,
without tokens; ``DELETE shares/<share_id>/`` withdraws one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.records import acting_user, user_summary
from modules.sales.models import QuoteShare
from modules.sales.services.quote_sharing import active_shares, revoke_share, share_quote


class QuoteShareSerializer(serializers.ModelSerializer[QuoteShare]):
    """A working link to a quote's public page (its token is never shown again)."""

    quote = serializers.IntegerField(source="quote_id", read_only=True, help_text="The quote's id.")
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = QuoteShare
        fields = ["id", "quote", "created_at", "created_by", "expires_at"]
        read_only_fields = fields

    def get_created_by(self, share: QuoteShare) -> dict[str, Any] | None:
        return user_summary(share.created_by)


class QuoteShareCreatedSerializer(QuoteShareSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown only in this answer.")
    url = serializers.URLField(read_only=True, help_text="The public page, for the customer.")

    class Meta(QuoteShareSerializer.Meta):
        fields = [*QuoteShareSerializer.Meta.fields, "token", "url"]
        read_only_fields = fields


class QuoteSharingMixin:
    """The ``shares`` routes of the quote viewset (``get_object`` is the visible quote or a 404)."""

    get_object: Any
    get_serializer_context: Any

    @extend_schema(methods=["GET"], request=None, responses=QuoteShareSerializer(many=True))
    @extend_schema(methods=["POST"], request=None, responses={201: QuoteShareCreatedSerializer})
    # A quote has a working link or two, never a page of them: the list is not paginated.
    @action(detail=True, methods=["get", "post"], url_path="shares", pagination_class=None)
    def shares(self, request: Request, pk: str | None = None) -> Response:
        """The quote's working links (``GET``), or a new one (``POST``: a draft is sent, earlier links
        end; a 400 on ``status`` or ``valid_until`` when the quote cannot be shared)."""
        quote = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            shares = active_shares(quote).select_related("created_by")
            return Response(QuoteShareSerializer(shares, many=True, context=context).data)
        with transaction.atomic():
            share, token = share_quote(quote, by=acting_user(request))
        share.token = token  # type: ignore[attr-defined]
        share.url = request.build_absolute_uri(reverse("quote-public:page", args=[token]))  # type: ignore[attr-defined]
        response = Response(QuoteShareCreatedSerializer(share, context=context).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"  # the token is shown once and must stay in no cache
        return response

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<share_id>\d+)")
    def share(self, request: Request, pk: str | None = None, share_id: str | None = None) -> Response:
        """Withdraw a link: it no longer opens the quote (an answered link stays as it is)."""
        quote = self.get_object()
        share = get_object_or_404(QuoteShare, pk=share_id, quote=quote)
        with transaction.atomic():
            revoke_share(share, by=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
