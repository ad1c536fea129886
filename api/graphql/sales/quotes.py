"""GraphQL types of quotes: ``Quote`` with its ``QuoteLine``s and its working public links
(``QuoteShare``), and the bases quote and order types share (``PricedLineType``,
``PricedDocumentType``)."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone

from api.graphql.batching import related_list
from api.graphql.contacts.types import CompanyType, ContactType, visible_companies, visible_contacts
from api.graphql.core import CountableConnection, Node, choice_field, enum_from_choices, visible_link
from api.graphql.identity.types import UserType
from api.graphql.sales.types import DealType, ProductType, SalesType, sales_queryset, visible_deals
from identity.models import User
from modules.sales.choices import QuoteStatus
from modules.sales.models import PricedLine, Product, Quote, QuoteLine, QuoteShare

QuoteStatusEnum = enum_from_choices("QuoteStatus", QuoteStatus)


class PricedLineType(SalesType):
    """What quote and order lines share: the product link, and visibility with their document."""

    product = graphene.Field(ProductType)

    document_field: ClassVar[str]  # the line's foreign key to its quote or order
    document_model: ClassVar[type[Model]]
    FIELDS: ClassVar[tuple[str, ...]] = (
        "position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate",
    )  # fmt: skip

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        # A line is visible with its document.
        documents = sales_queryset(info, cls.document_model.objects.all(), owned=True)  # type: ignore[attr-defined]
        return queryset.filter(**{f"{cls.document_field}__in": documents}).select_related("product")

    @staticmethod
    def resolve_product(root: PricedLine, info: Any) -> Product | None:
        return root.product  # type: ignore[no-any-return]


class PricedDocumentType(SalesType):
    """What quotes and orders share: their customer and owner links and their lines in order. Each
    type declares its own ``company``, ``contact``, ``owner`` and ``lines`` fields (a field declared
    here would be one object shared by both types, so describing one would describe the other)."""

    class Meta:
        abstract = True

    @staticmethod
    def documents_queryset(info: Any, queryset: QuerySet[Any], line_model: type[Model]) -> QuerySet[Any]:
        """``queryset`` checked like every sales record, with its owner, lines and customer loaded
        (the customer only when the user may see it)."""
        user = info.context.user
        lines = Prefetch("lines", queryset=line_model.objects.select_related("product").order_by("position", "id"))  # type: ignore[attr-defined]
        return (
            sales_queryset(info, queryset, owned=True)
            .select_related("owner")
            .prefetch_related(
                lines,
                Prefetch("company", queryset=visible_companies(user)),
                Prefetch("contact", queryset=visible_contacts(user)),
            )
        )

    @staticmethod
    def resolve_company(root: Any, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_contact(root: Any, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_owner(root: Any, info: Any) -> User | None:
        return root.owner  # type: ignore[no-any-return]

    @staticmethod
    def resolve_lines(root: Any, info: Any) -> list[PricedLine]:
        return list(root.lines.all())


class QuoteLineType(PricedLineType):
    """One line of a quote."""

    document_field = "quote"
    document_model = Quote

    class Meta:
        model = QuoteLine
        name = "QuoteLine"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = PricedLineType.FIELDS


class QuoteShareType(SalesType):
    """A link to a quote's public page, where the customer accepts or declines it. Its token is
    shown only by the mutation that makes it (``quoteShareCreate``)."""

    quote = graphene.Field(lambda: QuoteType)
    created_by = graphene.Field(UserType)

    class Meta:
        model = QuoteShare
        name = "QuoteShare"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("quote", "created_at", "created_by", "expires_at", "revoked_at")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[QuoteShare], info: Any) -> QuerySet[QuoteShare]:
        # A link is visible with its quote.
        quotes = sales_queryset(info, Quote.objects.all(), owned=True)
        return queryset.filter(quote__in=quotes).select_related("created_by")

    @staticmethod
    def resolve_quote(root: QuoteShare, info: Any) -> Any:
        return visible_link(root, info, "quote", QuoteType)

    @staticmethod
    def resolve_created_by(root: QuoteShare, info: Any) -> User | None:
        return root.created_by


class QuoteType(PricedDocumentType):
    """A priced offer for a deal; totals are kept by the quote service."""

    status = choice_field(QuoteStatusEnum, "status")
    deal = graphene.Field(DealType)
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    owner = graphene.Field(UserType)
    lines = graphene.List(graphene.NonNull(QuoteLineType), required=True, description="In order.")
    shares = graphene.List(
        graphene.NonNull(QuoteShareType),
        required=True,
        description="Its public links that still work (not withdrawn, answered or expired), newest first.",
    )

    class Meta:
        model = Quote
        name = "Quote"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "number", "deal", "company", "contact", "owner", "status", "currency", "issued_on", "valid_until",
            "discount_percent", "notes", "subtotal", "discount_total", "tax_total", "total", "lines", "created_at",
            "updated_at",
        )  # fmt: skip

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Quote], info: Any) -> QuerySet[Quote]:
        deals = Prefetch("deal", queryset=visible_deals(info.context.user))
        return cls.documents_queryset(info, queryset, QuoteLine).prefetch_related(deals)

    @staticmethod
    def resolve_deal(root: Quote, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType)

    @staticmethod
    def resolve_shares(root: Quote, info: Any) -> list[QuoteShare]:
        working = QuoteShare.objects.filter(
            revoked_at__isnull=True, answered_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("created_by")
        return related_list(info, root, "shares", working.order_by("-created_at", "-id"))
