"""REST endpoints of orders (sales module): ``/api/v1/orders/`` from the entity description, with
``POST from-quote/`` (the order of an accepted quote), ``POST <id>/status/``, ``POST <id>/lines/``
and ``PATCH``/``DELETE <id>/lines/<line_id>/``. Totals follow every change."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import ORDER
from api.entities.rest import serializer_fields
from api.rest.activities.serializers import deal_summary
from api.rest.contacts.serializers import company_field, contact_field
from api.rest.custom_fields import CustomFieldsRecordViewSet, CustomValuesField
from api.rest.records import RelatedByIdField, ServiceSerializer, acting_user, user_field
from modules.sales.choices import OrderStatus
from modules.sales.models import Deal, Order, OrderLine, Product, Quote
from modules.sales.services.orders import (
    add_order_line,
    create_order_from_quote,
    remove_order_line,
    set_order_status,
    update_order_line,
)


def product_summary(product: Product | None) -> dict[str, Any] | None:
    return None if product is None else {"id": product.pk, "name": product.name, "sku": product.sku}


def quote_summary(quote: Quote | None) -> dict[str, Any] | None:
    return None if quote is None else {"id": quote.pk, "number": quote.number}


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    """A line: a product fills the description, the price (its own, in the order's currency) and the
    tax rate left empty."""

    product = RelatedByIdField(Product, product_summary, filters={"is_active": True})

    class Meta:
        model = OrderLine
        fields = [
            "id", "position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate",
            "net_amount",
        ]  # fmt: skip
        read_only_fields = ["id", "position", "net_amount"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "description": {"required": False, "allow_blank": True},
            "quantity": {"required": False},
            "unit_price": {"required": False, "allow_null": True},
            "discount_percent": {"required": False, "allow_null": True},
            "tax_rate": {"required": False, "allow_null": True},
        }


class OrderSerializer(ServiceSerializer):
    """An order. ``lines`` are given on creation; afterwards through ``<id>/lines/``."""

    entity = ORDER
    owner = user_field()
    company = company_field()
    contact = contact_field()
    deal = RelatedByIdField(Deal, deal_summary, owner_field="owner")
    quote = RelatedByIdField(Quote, quote_summary, owner_field="owner", read_only=True)
    lines = OrderLineSerializer(many=True, required=False)
    custom = CustomValuesField()

    class Meta:
        model = Order
        fields = serializer_fields(ORDER)
        read_only_fields = ORDER.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {"ordered_on": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> Any:
        validated_data["lines"] = [dict(line) for line in validated_data.get("lines", [])]
        return super().create(validated_data)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        if "lines" in validated_data:
            validated_data["lines"] = [dict(line) for line in validated_data["lines"]]
        return super().update(instance, validated_data)


class OrderFromQuoteSerializer(serializers.Serializer[Any]):
    quote = RelatedByIdField(Quote, quote_summary, owner_field="owner", required=True, allow_null=False)


class OrderStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=OrderStatus.choices)


class OrderViewSet(CustomFieldsRecordViewSet):
    """Orders the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once.
    ``POST from-quote/`` makes the order of an accepted quote (the same order again on a repeat);
    ``POST <id>/status/`` moves it confirmed → fulfilled → invoiced → paid, or cancelled; lines
    change through ``<id>/lines/`` while the order is confirmed."""

    entity = ORDER
    serializer_class = OrderSerializer
    action_permissions: ClassVar[dict[str, str]] = {
        "from_quote": "change", "change_status": "change", "lines": "change", "line": "change",
    }  # fmt: skip

    def _order_response(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        order = self.retrieve_fresh(pk)
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=OrderFromQuoteSerializer, responses={200: OrderSerializer, 201: OrderSerializer})
    @action(detail=False, methods=["post"], url_path="from-quote")
    def from_quote(self, request: Request) -> Response:
        """The order of an accepted quote (201); a quote that already has its order answers it (200)."""
        serializer = OrderFromQuoteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        quote: Quote = serializer.validated_data["quote"]
        with transaction.atomic():
            existed = Order.objects.filter(quote=quote).exists()
            order = create_order_from_quote(quote, by=acting_user(request))
        return self._order_response(order.pk, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=OrderStatusSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        """Move the order to ``status`` (a 400 on ``status`` for a move the order cannot make)."""
        order = self.get_object()
        serializer = OrderStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            set_order_status(order, serializer.validated_data["status"], by=acting_user(request))
        return self._order_response(order.pk)

    @extend_schema(request=OrderLineSerializer, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """Add a line to a confirmed order."""
        order = self.get_object()
        serializer = OrderLineSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            add_order_line(order, by=acting_user(request), **serializer.validated_data)
        return self._order_response(order.pk, status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=OrderLineSerializer, responses=OrderSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<order_line_id>\d+)")
    def line(self, request: Request, pk: str | None = None, order_line_id: str | None = None) -> Response:
        """Change (the values sent) or remove a line of a confirmed order."""
        order = self.get_object()
        line = get_object_or_404(OrderLine.objects.select_related("order"), pk=order_line_id, order=order)
        with transaction.atomic():
            if request.method == "DELETE":
                remove_order_line(line, by=acting_user(request))
            else:
                serializer = OrderLineSerializer(data=request.data, partial=True, context=self.get_serializer_context())
                serializer.is_valid(raise_exception=True)
                update_order_line(line, by=acting_user(request), **serializer.validated_data)
        return self._order_response(order.pk)
