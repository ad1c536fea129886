"""The customer-value analyses in GraphQL: ``customerValues`` (stored lifetime values of the
customers the caller may see) and ``rfmSegments`` (analytics module, ``analytics.view``; sales in
the plan, since they read orders)."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, ClassVar

import graphene
from django.utils import timezone
from graphql import GraphQLError
from graphql_relay import to_global_id

from api.graphql.core import attribute, id_argument, require_module, require_permission
from identity.visibility import restrict_to_visible
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun
from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, PERIODS, SegmentSummary, segment_summaries
from modules.analytics.customer_value.selectors import by_predicted_value, latest_run, visible_values
from modules.contacts.models import Company, Contact

PAGE_SIZE = 50


def _bad(field: str, message: str) -> GraphQLError:
    return GraphQLError(f"{field}: {message}", extensions={"code": "BAD_USER_INPUT", "field": field})


class CustomerValueType(graphene.ObjectType):
    """A customer's history and predicted value as of the newest run."""

    customer_id = graphene.ID(required=True, description="The Company or Contact id.")
    customer_type = graphene.String(required=True, description="company or contact.")
    name = graphene.String(required=True)
    orders = graphene.Int(required=True)
    first_ordered_on = graphene.Date(required=True)
    last_ordered_on = graphene.Date(required=True)
    historical_value = graphene.Decimal(required=True, description="Net of tax, base currency, to date.")
    expected_purchases = graphene.Float(description="Over the run's horizon; null: not predicted.")
    probability_alive = graphene.Float()
    expected_value = graphene.Decimal(description="Of one purchase (Gamma-Gamma).")
    predicted_value = graphene.Decimal(description="Over the run's horizon.")

    class Meta:
        name = "CustomerValue"

    @staticmethod
    def resolve_customer_id(root: CustomerValue, info: Any) -> str:
        if root.company_id:
            return to_global_id("Company", root.company_id)
        return to_global_id("Contact", root.contact_id or 0)

    @staticmethod
    def resolve_customer_type(root: CustomerValue, info: Any) -> str:
        return "company" if root.company_id else "contact"

    @staticmethod
    def resolve_name(root: CustomerValue, info: Any) -> str:
        return root.company.name if root.company_id else str(root.contact)  # type: ignore[union-attr]


@dataclass(frozen=True)
class ValuePage:
    run: CustomerValueRun | None
    total: int
    page: int
    values: list[CustomerValue]


class CustomerValuesType(graphene.ObjectType):
    """A page of customer values, with how fresh they are."""

    plan_module: ClassVar[str] = "analytics"

    data_as_of = graphene.DateTime(
        description="When the values were computed (null: not yet).", resolver=attribute("run.computed_at")
    )
    status = graphene.String(
        description="fitted, or history (too few customers to predict).", resolver=attribute("run.status")
    )
    horizon_days = graphene.Int(resolver=attribute("run.horizon_days"))
    total_count = graphene.Int(required=True, resolver=attribute("total"))
    page = graphene.Int(required=True)
    pages = graphene.Int(required=True)
    values = graphene.List(graphene.NonNull(CustomerValueType), required=True)

    class Meta:
        name = "CustomerValues"

    @staticmethod
    def resolve_pages(root: ValuePage, info: Any) -> int:
        return max(1, ceil(root.total / PAGE_SIZE))


class RfmSegmentType(graphene.ObjectType):
    key = graphene.String(required=True, resolver=attribute("segment.key"))
    label = graphene.String(required=True)
    customers = graphene.Int(required=True)
    share = graphene.Float(required=True, description="Of the customers scored.")
    monetary = graphene.Decimal(required=True, description="Net of tax, base currency, over the period.")

    class Meta:
        name = "RfmSegment"

    @staticmethod
    def resolve_label(root: SegmentSummary, info: Any) -> str:
        return str(root.segment.label)


def _guard(info: Any) -> Any:
    require_module(info, "analytics")
    require_module(info, "sales")
    require_permission(info, "analytics.view")
    # Orders and their amounts: whoever may not see sales may not see them summed either.
    return require_permission(info, "sales.view")


class AnalyticsCustomerValueQueries(graphene.ObjectType):
    customer_values = graphene.Field(
        CustomerValuesType,
        required=True,
        company=graphene.ID(description="A Company id: only its value."),
        contact=graphene.ID(description="A Contact id: only its value."),
        page=graphene.Int(description="Pages of 50 customers, from 1."),
        description="Lifetime values of the customers you may see, by predicted value (analytics module).",
    )
    rfm_segments = graphene.List(
        graphene.NonNull(RfmSegmentType),
        required=True,
        period=graphene.Int(description="Months of orders: 3, 6, 12, 24, 36, or 0 for all (12 if not given)."),
        description="RFM segments over the orders and customers you may see (analytics module).",
    )

    @staticmethod
    def resolve_customer_values(
        root: Any, info: Any, company: Any = None, contact: Any = None, page: int | None = None
    ) -> ValuePage:
        user = _guard(info)
        page = 1 if page is None else page
        if not 1 <= page <= 100_000:
            raise _bad("page", "a page number from 1.")
        values = visible_values(user)
        for argument, model, value in (("company", Company, company), ("contact", Contact, contact)):
            if value is None:
                continue
            pk = id_argument(value, model.__name__, argument)
            # Another tenant's id, or a record the caller may not see, names nothing here.
            if not restrict_to_visible(model.objects.filter(pk=pk), user).exists():
                raise _bad(argument, f"no such {model.__name__}.")
            values = values.filter(**{f"{argument}_id": pk})
        total = values.count()
        rows = list(by_predicted_value(values)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
        return ValuePage(run=latest_run(), total=total, page=page, values=rows)

    @staticmethod
    def resolve_rfm_segments(root: Any, info: Any, period: int | None = None) -> list[SegmentSummary]:
        user = _guard(info)
        months = DEFAULT_PERIOD if period is None else period
        if months not in PERIODS:
            raise _bad("period", "choose 3, 6, 12, 24, 36 or 0.")
        return segment_summaries(user, today=timezone.localdate(), months=months)
