"""REST representations of leads, deals, pipelines, lost reasons, products and quotes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from api.entities import DEAL, LEAD
from api.entities.rest import serializer_fields
from api.rest.activities.serializers import deal_summary, lead_summary
from api.rest.contacts.serializers import company_field, company_summary, contact_field, contact_summary
from api.rest.custom_fields import CustomValuesField
from api.rest.records import LinkRuleMixin, RelatedByIdField, ServiceSerializer, TagNamesField, user_field, user_summary
from modules.sales.choices import QuoteStatus
from modules.sales.models import Deal, Lead, LostReason, Pipeline, PriceList, Product, Quote, QuoteLine, Stage
from modules.sales.services.catalog import create_product, update_product


def stage_summary(stage: Stage | None) -> dict[str, Any] | None:
    return None if stage is None else {"id": stage.pk, "name": stage.name, "probability": stage.probability}


def pipeline_summary(pipeline: Pipeline | None) -> dict[str, Any] | None:
    return None if pipeline is None else {"id": pipeline.pk, "name": pipeline.name}


def lost_reason_summary(reason: LostReason | None) -> dict[str, Any] | None:
    return None if reason is None else {"id": reason.pk, "name": reason.name}


def stage_field(**kwargs: Any) -> RelatedByIdField:
    return RelatedByIdField(Stage, stage_summary, **kwargs)


def lost_reason_field(**kwargs: Any) -> RelatedByIdField:
    return RelatedByIdField(LostReason, lost_reason_summary, filters={"is_active": True}, **kwargs)


class LeadSerializer(ServiceSerializer):
    entity = LEAD
    owner = user_field()
    tags = TagNamesField()
    converted_by = serializers.SerializerMethodField()
    converted_company = serializers.SerializerMethodField()
    converted_contact = serializers.SerializerMethodField()
    converted_deal = serializers.SerializerMethodField()
    custom = CustomValuesField()

    class Meta:
        model = Lead
        fields = serializer_fields(LEAD)
        read_only_fields = LEAD.read_only_names

    def get_converted_by(self, lead: Lead) -> dict[str, Any] | None:
        return user_summary(lead.converted_by)

    def get_converted_company(self, lead: Lead) -> dict[str, Any] | None:
        return company_summary(lead.converted_company)

    def get_converted_contact(self, lead: Lead) -> dict[str, Any] | None:
        return contact_summary(lead.converted_contact)

    def get_converted_deal(self, lead: Lead) -> dict[str, Any] | None:
        return deal_summary(lead.converted_deal)


class ConvertLeadSerializer(serializers.Serializer[Any]):
    """``POST /leads/<id>/convert/``: reuse a company or contact by id, or create them from the lead;
    open a deal unless ``create_deal`` is false."""

    company = company_field()
    contact = contact_field()
    create_company = serializers.BooleanField(required=False, default=True)
    create_deal = serializers.BooleanField(required=False, default=True)
    deal_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    pipeline = RelatedByIdField(Pipeline, pipeline_summary, filters={"is_archived": False})
    stage = stage_field()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)


class DealSerializer(ServiceSerializer):
    """A deal. ``pipeline`` and ``stage`` are set on creation; afterwards they change with ``move``."""

    entity = DEAL
    owner = user_field()
    company = company_field()
    contact = contact_field()
    lead = RelatedByIdField(Lead, lead_summary, owner_field="owner")
    pipeline = RelatedByIdField(Pipeline, pipeline_summary, filters={"is_archived": False})
    stage = stage_field()
    lost_reason = serializers.SerializerMethodField()
    tags = TagNamesField()
    effective_probability = serializers.IntegerField(read_only=True)
    weighted_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    is_rotting = serializers.SerializerMethodField()
    custom = CustomValuesField()

    class Meta:
        model = Deal
        fields = serializer_fields(DEAL)
        read_only_fields = DEAL.read_only_names

    def get_is_rotting(self, deal: Deal) -> bool:
        return deal.is_rotting()

    def get_lost_reason(self, deal: Deal) -> dict[str, Any] | None:
        return lost_reason_summary(deal.lost_reason)


class MoveDealSerializer(serializers.Serializer[Any]):
    """``POST /deals/<id>/move/``: the target stage, why a lost deal was lost, and any fields the
    stage requires, filled on the way."""

    stage = stage_field(required=True, allow_null=False)
    lost_reason = lost_reason_field()
    lost_note = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    expected_close_date = serializers.DateField(required=False, allow_null=True)
    company = company_field()
    contact = contact_field()
    description = serializers.CharField(required=False, allow_blank=True)


class StageSerializer(serializers.ModelSerializer[Stage]):
    class Meta:
        model = Stage
        fields = ["id", "name", "position", "kind", "probability", "required_fields", "rotting_days"]
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer[Pipeline]):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "position", "is_default", "is_archived", "stages"]
        read_only_fields = fields


class LostReasonSerializer(serializers.ModelSerializer[LostReason]):
    class Meta:
        model = LostReason
        fields = ["id", "name", "position", "is_active"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer[Product]):
    """A catalogue product; saves go through the catalogue services (SKUs unique regardless of case)."""

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "description", "unit", "unit_price", "currency", "tax_rate", "is_active"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # the service checks the SKU (case-insensitively) and names the field

    def create(self, validated_data: dict[str, Any]) -> Product:
        return create_product(**validated_data)

    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        return update_product(instance, **validated_data)


class QuoteLineSerializer(LinkRuleMixin, serializers.ModelSerializer[QuoteLine]):
    class Meta:
        model = QuoteLine
        fields = ["id", "position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate"]
        read_only_fields = fields


class QuoteSerializer(LinkRuleMixin, serializers.ModelSerializer[Quote]):
    owner = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    deal = serializers.SerializerMethodField()
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id", "number", "status", "deal", "company", "contact", "owner", "currency", "price_list", "issued_on",
            "valid_until",
            "discount_percent", "notes", "subtotal", "discount_total", "tax_total", "total", "lines",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    price_list = serializers.SerializerMethodField()

    def get_owner(self, quote: Quote) -> dict[str, Any] | None:
        return user_summary(quote.owner)

    def get_price_list(self, quote: Quote) -> dict[str, Any] | None:
        return price_list_summary(quote.price_list)

    def get_company(self, quote: Quote) -> dict[str, Any] | None:
        return company_summary(quote.company)

    def get_contact(self, quote: Quote) -> dict[str, Any] | None:
        return contact_summary(quote.contact)

    def get_deal(self, quote: Quote) -> dict[str, Any] | None:
        return deal_summary(quote.deal)


def price_list_summary(price_list: PriceList | None) -> dict[str, Any] | None:
    return None if price_list is None else {"id": price_list.pk, "name": price_list.name}


class QuoteHeaderSerializer(serializers.Serializer[Any]):
    """Writable header of a draft quote: ``deal`` only when creating (the quote takes its company,
    contact, owner and currency)."""

    deal = RelatedByIdField(Deal, deal_summary, owner_field="owner", required=True, allow_null=False)
    price_list = RelatedByIdField(PriceList, price_list_summary, filters={"is_active": True})
    valid_until = serializers.DateField(required=False, allow_null=True)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class QuoteLineInputSerializer(serializers.Serializer[Any]):
    """A line: a product fills the description, price and tax rate left empty."""

    product = RelatedByIdField(
        Product, lambda product: {"id": product.pk, "name": product.name}, filters={"is_active": True}
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, default=Decimal("1"))
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class QuoteStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=QuoteStatus.choices)
