"""Report deliveries by e-mail in GraphQL: ``Report.subscriptions`` (their owner sees them, with each
subscription's latest ``deliveries``), and ``reportSubscriptionCreate``, ``reportSubscriptionUpdate``
and ``reportSubscriptionDelete`` (``analytics.change``, the report's owner; the services' refusals
come back as ``errors`` naming the input field). Recipients are users' global ids; ``weekday`` is
0 (Monday) to 6, ``hour`` 0 to 23 in the tenant's time zone."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from graphql_relay import to_global_id

from api.graphql.core import MutationFailed, RecordMutation, error_type, global_id_to_pk
from identity.models import User
from modules.analytics.reports.choices import DeliveryFormat, Frequency
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.services import (
    create_subscription,
    delete_subscription,
    update_subscription,
)
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import reports_for

RECENT_DELIVERIES = 100
ReportFrequency = graphene.Enum.from_enum(Frequency, description="How often the report is sent.")
ReportFileFormat = graphene.Enum.from_enum(DeliveryFormat, description="The attached file.")


class ReportDeliveryType(graphene.ObjectType):
    """One recipient's copy of one occurrence."""

    plan_module: ClassVar[str] = "analytics"

    id = graphene.ID(required=True)
    recipient_id = graphene.ID(required=True, description="The recipient's global id (User).")
    occurrence = graphene.DateTime(required=True)
    status = graphene.String(required=True, description="queued (waiting or retrying), sent or failed.")
    attempts = graphene.Int(required=True)
    last_error = graphene.String(required=True)
    next_attempt_at = graphene.DateTime()
    sent_at = graphene.DateTime()

    class Meta:
        name = "ReportDelivery"

    @staticmethod
    def resolve_id(root: ReportDelivery, info: Any) -> str:
        return to_global_id("ReportDelivery", root.pk)

    @staticmethod
    def resolve_recipient_id(root: ReportDelivery, info: Any) -> str:
        return to_global_id("User", root.recipient_id)


class ReportSubscriptionType(graphene.ObjectType):
    """A report sent by e-mail on a schedule."""

    plan_module: ClassVar[str] = "analytics"

    id = graphene.ID(required=True)
    recipient_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    frequency = graphene.String(required=True)
    weekday = graphene.Int()
    day_of_month = graphene.Int()
    hour = graphene.Int(required=True)
    file_format = graphene.String(required=True)
    next_run_at = graphene.DateTime(required=True)
    deliveries = graphene.List(graphene.NonNull(ReportDeliveryType), required=True, description="Newest first.")

    class Meta:
        name = "ReportSubscription"

    @staticmethod
    def resolve_id(root: ReportSubscription, info: Any) -> str:
        return to_global_id("ReportSubscription", root.pk)

    @staticmethod
    def resolve_recipient_ids(root: ReportSubscription, info: Any) -> list[str]:
        return [to_global_id("User", user.pk) for user in root.recipients.all()]

    @staticmethod
    def resolve_deliveries(root: ReportSubscription, info: Any) -> list[ReportDelivery]:
        recent = getattr(root, "recent_deliveries", None)  # read for all at once by ``subscriptions_of``
        if recent is not None:
            return list(recent)
        return list(root.deliveries.order_by("-occurrence", "-id")[:RECENT_DELIVERIES])


def subscriptions_of(report: Report, user: User) -> list[ReportSubscription]:
    """The report's subscriptions for its owner; nobody else sees who receives it."""
    if report.owner_id != user.pk:
        return []
    subscriptions = list(report.subscriptions.prefetch_related("recipients").order_by("id"))
    # Each subscription's newest deliveries, in one query whatever their number.
    newest_first = [F("occurrence").desc(), F("id").desc()]
    rows = (
        ReportDelivery.objects.filter(subscription__in=subscriptions)
        .annotate(rank=Window(RowNumber(), partition_by=[F("subscription_id")], order_by=newest_first))
        .filter(rank__lte=RECENT_DELIVERIES)
        .order_by("subscription_id", *newest_first)
    )
    by_subscription: dict[int, list[ReportDelivery]] = {subscription.pk: [] for subscription in subscriptions}
    for row in rows:
        by_subscription[row.subscription_id].append(row)
    for subscription in subscriptions:
        subscription.recent_deliveries = by_subscription[subscription.pk]  # type: ignore[attr-defined]
    return subscriptions


class ReportSubscriptionInput(graphene.InputObjectType):
    recipients = graphene.List(graphene.NonNull(graphene.ID), description="Users' global ids.")
    frequency = ReportFrequency()
    weekday = graphene.Int(description="0 (Monday) to 6, for weekly.")
    day_of_month = graphene.Int(description="1 to 31, for monthly (the month's last day when shorter).")
    hour = graphene.Int(description="0 to 23, in the tenant's time zone.")
    file_format = ReportFileFormat()


def _values(data: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in dict(data or {}).items():
        if name == "recipients":
            ids = [global_id_to_pk(item, "User") for item in value or []]
            users = {user.pk: user for user in User.objects.filter(pk__in=[pk for pk in ids if pk is not None])}
            if None in ids or len(users) != len(set(ids)):
                raise MutationFailed("recipients", _("No such user."), "NOT_FOUND")
            values[name] = [users[pk] for pk in ids if pk is not None]
        else:
            values[name] = getattr(value, "value", value)
    return values


def _owned_report(user: User, global_id: str) -> Report:
    pk = global_id_to_pk(global_id, "Report")
    report = reports_for(user).filter(pk=pk, owner=user).first() if pk is not None else None
    if report is None:
        raise MutationFailed("report", _("No such report, or not one of yours."), "NOT_FOUND")
    return report


def _owned_subscription(user: User, global_id: str) -> ReportSubscription:
    pk = global_id_to_pk(global_id, "ReportSubscription")
    found = (
        ReportSubscription.objects.filter(pk=pk, report__owner=user).select_related("report").first()
        if pk is not None
        else None
    )
    if found is None:
        raise MutationFailed("id", _("No such delivery, or not one of yours."), "NOT_FOUND")
    return found


class ReportSubscriptionCreate(RecordMutation):
    """Send one of your reports by e-mail on a schedule."""

    class Arguments:
        report = graphene.ID(required=True, description="The report's global id.")
        input = ReportSubscriptionInput(required=True)

    subscription = graphene.Field(ReportSubscriptionType)
    errors = graphene.List(graphene.NonNull(error_type("ReportSubscriptionCreate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        report = _owned_report(user, data["report"])
        return {"subscription": create_subscription(report=report, by=user, **_values(data["input"]))}


class ReportSubscriptionUpdate(RecordMutation):
    """Change a delivery of one of your reports (only the fields given)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ReportSubscriptionInput(required=True)

    subscription = graphene.Field(ReportSubscriptionType)
    errors = graphene.List(graphene.NonNull(error_type("ReportSubscriptionUpdate")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        subscription = _owned_subscription(user, data["id"])
        return {"subscription": update_subscription(subscription, by=user, **_values(data["input"]))}


class ReportSubscriptionDelete(RecordMutation):
    """Stop a delivery of one of your reports."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("ReportSubscriptionDelete")), required=True)

    module = "analytics"
    permission = "analytics.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_subscription(_owned_subscription(user, data["id"]), by=user)
        return {"deleted_id": data["id"]}


class AnalyticsMutations(graphene.ObjectType):
    report_subscription_create = ReportSubscriptionCreate.Field()
    report_subscription_update = ReportSubscriptionUpdate.Field()
    report_subscription_delete = ReportSubscriptionDelete.Field()
