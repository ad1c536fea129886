"""Writing subscriptions: the only code that creates, changes and deletes them. Whoever may change
the report (its owner, with ``analytics.change``) manages its subscriptions; every recipient must
be an active user who may open the report, since each gets it run as themselves. Each write sends a
``report_subscription.*`` outbox event in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.events.outbox import emit
from identity.models import User
from modules.analytics.reports.choices import Frequency
from modules.analytics.reports.delivery.models import ReportSubscription
from modules.analytics.reports.delivery.schedule import next_after
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import may_edit, reports_for

ENTITY = "report_subscription"
EDITABLE = ("recipients", "frequency", "weekday", "day_of_month", "hour", "file_format")
MAX_RECIPIENTS = 50


def may_receive(user: User, report: Report) -> bool:
    """An active user with ``analytics.view`` who may open ``report``."""
    return user.is_active and user.has_perm("analytics.view") and reports_for(user).filter(pk=report.pk).exists()


def _recipients(raw: Any, report: Report) -> list[User]:
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes | dict):
        raise ValidationError({"recipients": [_("Choose the users who receive the report.")]})
    users = list(raw)
    if not users:
        raise ValidationError({"recipients": [_("Choose at least one user.")]})
    if len(users) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": [_("At most %(count)d recipients.") % {"count": MAX_RECIPIENTS}]})
    refused = [user for user in users if not isinstance(user, User) or not may_receive(user, report)]
    if refused:
        names = ", ".join(str(user) for user in refused[:5])
        raise ValidationError({"recipients": [_("These users cannot open this report: %(names)s.") % {"names": names}]})
    return users


def _apply(subscription: ReportSubscription, values: dict[str, Any]) -> list[User] | None:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    recipients = _recipients(values.pop("recipients"), subscription.report) if "recipients" in values else None
    for name, value in values.items():
        setattr(subscription, name, value)
    errors: dict[str, list[str]] = {}
    if subscription.frequency == Frequency.WEEKLY and subscription.weekday is None:
        errors["weekday"] = [_("Choose the day of the week.")]
    if subscription.frequency == Frequency.MONTHLY and subscription.day_of_month is None:
        errors["day_of_month"] = [_("Choose the day of the month.")]
    if errors:
        raise ValidationError(errors)
    if subscription.frequency != Frequency.WEEKLY:
        subscription.weekday = None
    if subscription.frequency != Frequency.MONTHLY:
        subscription.day_of_month = None
    subscription.next_run_at = timezone.now()  # a placeholder full_clean accepts; set below
    subscription.full_clean(exclude=["report", "created_by"])
    subscription.next_run_at = next_after(
        timezone.now(), frequency=subscription.frequency, hour=subscription.hour,
        weekday=subscription.weekday, day_of_month=subscription.day_of_month,
    )  # fmt: skip
    return recipients


def _check_editor(report: Report, by: User) -> None:
    if not may_edit(by, report):
        raise PermissionDenied(_("Only the report's owner changes its deliveries."))


def _data(subscription: ReportSubscription) -> dict[str, Any]:
    return {
        "report": subscription.report_id,
        "frequency": subscription.frequency,
        "hour": subscription.hour,
        "file_format": subscription.file_format,
        "recipients": sorted(subscription.recipients.values_list("pk", flat=True)),
    }


@transaction.atomic
def create_subscription(*, report: Report, by: User, **values: Any) -> ReportSubscription:
    _check_editor(report, by)
    if "recipients" not in values:
        raise ValidationError({"recipients": [_("Choose at least one user.")]})
    subscription = ReportSubscription(report=report, created_by=by)
    recipients = _apply(subscription, values)
    subscription.save()
    subscription.recipients.set(recipients or [])
    emit(f"{ENTITY}.created", subscription, entity=ENTITY, actor=by, data=_data(subscription))
    return subscription


@transaction.atomic
def update_subscription(subscription: ReportSubscription, *, by: User, **values: Any) -> ReportSubscription:
    _check_editor(subscription.report, by)
    recipients = _apply(subscription, values)
    subscription.save()
    if recipients is not None:
        subscription.recipients.set(recipients)
    emit(f"{ENTITY}.updated", subscription, entity=ENTITY, actor=by, data=_data(subscription))
    return subscription


@transaction.atomic
def delete_subscription(subscription: ReportSubscription, *, by: User) -> None:
    _check_editor(subscription.report, by)
    emit(f"{ENTITY}.deleted", subscription, entity=ENTITY, actor=by, data={"report": subscription.report_id})
    subscription.delete()
