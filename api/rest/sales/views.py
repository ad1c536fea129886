"""REST endpoints of the sales module (403 ``module-not-in-plan`` while it is not in the plan): leads (with
conversion), deals (with stage moves), pipelines with their stages, lost reasons, products, quotes."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import DEAL, LEAD
from api.rest import filters
from api.rest.activities.serializers import deal_summary
from api.rest.contacts.serializers import company_summary, contact_summary
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, OrderingCursorPagination, acting_user
from api.rest.sales.quote_shares import QuoteSharingMixin
from api.rest.sales.serializers import (
    ConvertLeadSerializer,
    DealSerializer,
    LeadSerializer,
    LostReasonSerializer,
    MoveDealSerializer,
    PipelineSerializer,
    ProductSerializer,
    QuoteHeaderSerializer,
    QuoteLineInputSerializer,
    QuoteSerializer,
    QuoteStatusSerializer,
)
from identity.visibility import restrict_to_visible
from modules.sales.choices import QuoteStatus
from modules.sales.models import LostReason, Pipeline, Product, Quote, QuoteLine, Stage
from modules.sales.services.deals import move_deal_to_stage
from modules.sales.services.leads import convert_lead
from modules.sales.services.quotes import add_line, create_quote, remove_line, set_status, update_line, update_quote

SUMMARY = {
    "type": "object",
    "nullable": True,
    "additionalProperties": True,
    "properties": {"id": {"type": "integer"}},
    "required": ["id"],
}


@extend_schema_field(SUMMARY)
class RecordSummaryField(serializers.JSONField):
    """A small object naming a record (its id and name), as the conversion answers them."""


def summary(help_text: str) -> serializers.JSONField:
    return RecordSummaryField(help_text=help_text)


CONVERSION = inline_serializer(
    name="LeadConversion",
    fields={
        "lead": LeadSerializer(help_text="The converted lead."),
        "company": summary("The company the lead became or joined, or null."),
        "contact": summary("The contact the lead became or was merged into."),
        "deal": summary("The deal created, or null."),
    },
)


class LeadViewSet(CustomFieldsRecordViewSet):
    """Leads the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once.
    ``POST <id>/convert/`` turns one into records."""

    entity = LEAD
    serializer_class = LeadSerializer
    action_permissions: ClassVar[dict[str, str]] = {"timeline": "view", "convert": "change"}

    @extend_schema(request=ConvertLeadSerializer, responses={201: CONVERSION})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        """Company + contact (+ deal) from the lead, all or nothing."""
        lead = self.get_object()
        serializer = ConvertLeadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        with transaction.atomic():
            conversion = convert_lead(
                lead,
                by=acting_user(request),
                company=values.get("company"),
                contact=values.get("contact"),
                create_company_record=values["create_company"],
                deal_name=values["deal_name"],
                pipeline=values.get("pipeline"),
                stage=values.get("stage"),
                amount=values.get("amount"),
                create_deal_record=values["create_deal"],
            )
        return Response(
            {
                "lead": LeadSerializer(self.retrieve_fresh(lead.pk), context=self.get_serializer_context()).data,
                "company": company_summary(conversion.company),
                "contact": contact_summary(conversion.contact),
                "deal": deal_summary(conversion.deal),
            },
            status=status.HTTP_201_CREATED,
        )


class DealViewSet(CustomFieldsRecordViewSet):
    """Deals the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once.
    ``POST <id>/move/`` moves one to another stage."""

    entity = DEAL
    serializer_class = DealSerializer
    action_permissions: ClassVar[dict[str, str]] = {"timeline": "view", "move": "change"}

    @extend_schema(request=MoveDealSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Into ``stage``; a lost stage takes ``lost_reason`` and ``lost_note``; fields the stage requires
        may be filled in the same request."""
        deal = self.get_object()
        serializer = MoveDealSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        stage: Stage = values.pop("stage")
        with transaction.atomic():
            move_deal_to_stage(
                deal,
                stage,
                by=acting_user(request),
                lost_reason=values.pop("lost_reason", None),
                lost_note=values.pop("lost_note", ""),
                **values,
            )
        return Response(DealSerializer(self.retrieve_fresh(deal.pk), context=self.get_serializer_context()).data)


class SalesReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]):
    module = "sales"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination


class PipelineViewSet(SalesReadOnlyViewSet):
    """Pipelines in id order, each with its stages in board order."""

    serializer_class = PipelineSerializer

    def get_queryset(self) -> QuerySet[Pipeline]:
        stages = Stage.objects.order_by("position", "id")
        return Pipeline.objects.prefetch_related(Prefetch("stages", queryset=stages)).order_by("id")


class LostReasonFilter(filters.StrictFilterSet):
    is_active = filters.StrictBooleanFilter()

    class Meta:
        model = LostReason
        fields: list[str] = []


class LostReasonViewSet(SalesReadOnlyViewSet):
    """Why deals are lost, in id order; ``?is_active=true`` for the ones offered when losing a deal."""

    serializer_class = LostReasonSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LostReasonFilter

    def get_queryset(self) -> QuerySet[LostReason]:
        return LostReason.objects.order_by("id")


class ProductFilter(filters.StrictFilterSet):
    search = filters.search_plain("name", "sku")
    is_active = filters.StrictBooleanFilter()

    class Meta:
        model = Product
        fields: list[str] = []


class ProductViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, SalesReadOnlyViewSet):
    """The product catalogue; filters: search (name or SKU), is_active; ``ordering=`` name, unit_price.
    Creating and editing (``is_active: false`` retires a product) need ``sales.manage_catalog``."""

    action_permissions: ClassVar[dict[str, str]] = {"create": "manage_catalog", "partial_update": "manage_catalog"}
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = OrderingCursorPagination
    ordering_fields = ("name", "unit_price")

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.order_by("id")

    def perform_create(self, serializer: ProductSerializer) -> None:  # type: ignore[override]
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer: ProductSerializer) -> None:  # type: ignore[override]
        with transaction.atomic():
            serializer.save()


class QuoteFilter(filters.StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices)
    deal = filters.IdFilter(field_name="deal_id")
    company = filters.IdFilter(field_name="company_id")
    owner = filters.IdFilter(field_name="owner_id")

    class Meta:
        model = Quote
        fields: list[str] = []


class QuoteViewSet(QuoteSharingMixin, SalesReadOnlyViewSet):
    """Quotes the user may see, with their lines; filters: status, deal, company, owner.

    ``POST`` creates a draft for a deal, ``PATCH`` changes a draft's header, ``POST <id>/lines/`` adds
    a line, ``PATCH``/``DELETE <id>/lines/<line_id>/`` change or remove one, ``POST <id>/status/``
    moves it along draft → sent → accepted / declined. Totals follow every change. ``<id>/shares/``
    are its public links (``api.rest.sales.quote_shares``)."""

    serializer_class = QuoteSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = QuoteFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Withdrawing a link is a change of the quote, as on its page.
    action_permissions: ClassVar[dict[str, str]] = {"line": "change", "share": "change"}

    def get_queryset(self) -> QuerySet[Quote]:
        lines = QuoteLine.objects.order_by("position", "id")
        queryset = (
            Quote.objects.select_related("owner", "company", "contact", "deal", "price_list")
            .prefetch_related(Prefetch("lines", queryset=lines))
            .order_by("id")
        )
        return restrict_to_visible(queryset, acting_user(self.request))

    def _quote_response(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        quote = self.get_queryset().get(pk=pk)
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=QuoteHeaderSerializer, responses={201: QuoteSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = QuoteHeaderSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            quote = create_quote(by=acting_user(request), **serializer.validated_data)
        return self._quote_response(quote.pk, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteHeaderSerializer, responses=QuoteSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        quote = self.get_object()
        serializer = QuoteHeaderSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "deal" in values:
            raise ValidationError({"deal": [_("A quote stays with the deal it was made for.")]})
        with transaction.atomic():
            update_quote(quote, by=acting_user(request), **values)
        return self._quote_response(quote.pk)

    @extend_schema(request=QuoteLineInputSerializer, responses={201: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """Add a line to a draft."""
        quote = self.get_object()
        serializer = QuoteLineInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            add_line(quote, by=acting_user(request), **serializer.validated_data)
        return self._quote_response(quote.pk, status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=QuoteLineInputSerializer, responses=QuoteSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={200: QuoteSerializer})
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>\d+)")
    def line(self, request: Request, pk: str | None = None, line_id: str | None = None) -> Response:
        """Change (all of the line's values, as when adding) or remove a line of a draft."""
        quote = self.get_object()
        line = get_object_or_404(QuoteLine.objects.select_related("quote"), pk=line_id, quote=quote)
        with transaction.atomic():
            if request.method == "DELETE":
                remove_line(line, by=acting_user(request))
            else:
                serializer = QuoteLineInputSerializer(data=request.data, context=self.get_serializer_context())
                serializer.is_valid(raise_exception=True)
                update_line(line, by=acting_user(request), **serializer.validated_data)
        return self._quote_response(quote.pk)

    @extend_schema(request=QuoteStatusSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        """Move the quote to ``status``."""
        quote = self.get_object()
        serializer = QuoteStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            set_status(quote, serializer.validated_data["status"], by=acting_user(request))
        return self._quote_response(quote.pk)
