"""Marketing e-mail dashboard widget kinds (``modules.analytics.dashboards.widgets``), registered
from ``DeliveryConfig.ready()``: messages sent, the e-mails sent in the period with their open and
click rates, and unique opens and clicks per week.

Marketing e-mails have no owner and no record visibility (whoever has the module's reports sees
every send, as on an e-mail's report page), so these kinds honour the period only. A message counts
as sent when it was handed over (sent, delivered, bounced or complained) on a day of the period, in
the reader's time zone; an open or a click counts once per recipient, on the day of the first. All
figures are grouped in PostgreSQL (``Recipient`` rows, never loaded)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.analytics.dashboards.builtin_support import previous_period, reader_zone, share, within
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    Point,
    Series,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.marketing.delivery.choices import HANDED_OVER, RecipientState
from modules.marketing.delivery.models import Recipient

TOP = 10
DEFAULT_WEEKS = 8


def _handed_over(filters: DashboardFilters) -> QuerySet[Recipient]:
    return within(Recipient.objects.filter(state__in=HANDED_OVER).order_by(), "sent_at", filters.start, filters.end)


def messages_sent(user: User, filters: DashboardFilters) -> WidgetData:
    """Marketing messages handed over in the period, against the period before."""
    with reader_zone(user):
        value = _handed_over(filters).count()
        before = previous_period(filters)
        previous = _handed_over(before).count() if before is not None else None
    return WidgetData(value=value, previous=previous)


def email_engagement(user: User, filters: DashboardFilters) -> WidgetData:
    """The e-mails with messages sent in the period, latest first: sent, unique opens and clicks of
    those messages as a share of them, bounces; each row opens the e-mail's report."""
    with reader_zone(user):
        groups = list(
            _handed_over(filters)
            .values("email_id", "email__name")
            .annotate(
                sent=Count("pk"),
                opened=Count("pk", filter=Q(opened_at__isnull=False)),
                clicked=Count("pk", filter=Q(first_click_at__isnull=False)),
                bounced=Count("pk", filter=Q(state=RecipientState.BOUNCED)),
                last=Max("sent_at"),
            )
            .order_by("-last", "-email_id")[:TOP]
        )
    rows = tuple(
        (
            group["email__name"],
            group["sent"],
            share(group["opened"], group["sent"]),
            share(group["clicked"], group["sent"]),
            group["bounced"],
            reverse("marketing-delivery:email", args=[group["email_id"]]),
        )
        for group in groups
    )
    return WidgetData(
        columns=(_("E-mail"), _("Sent"), _("Opened (%)"), _("Clicked (%)"), _("Bounced")), rows=rows, row_urls=True
    )


def _weeks(filters: DashboardFilters, today: date) -> list[date]:
    """The Mondays of the period's weeks, or of the eight weeks up to today's."""
    monday = today - timedelta(days=today.weekday())
    start = filters.start or monday - timedelta(weeks=DEFAULT_WEEKS - 1)
    end = filters.end or today
    weeks, week = [], start - timedelta(days=start.weekday())
    while week <= end:
        weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


def _per_week(moment: str, start: date, end: date, zone: Any) -> dict[date, int]:
    rows = (
        within(Recipient.objects.filter(**{f"{moment}__isnull": False}).order_by(), moment, start, end)
        .annotate(week=TruncWeek(moment, tzinfo=zone))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    return {(week.date() if hasattr(week, "date") else week): count for week, count in rows}


def opens_and_clicks(user: User, filters: DashboardFilters) -> WidgetData:
    """Recipients who first opened, and who first clicked, a marketing e-mail in each week of the
    period (two grouped queries)."""
    with reader_zone(user) as zone:
        weeks = _weeks(filters, timezone.localdate())
        start, end = filters.start or weeks[0], filters.end or timezone.localdate()
        opens = _per_week("opened_at", start, end, zone)
        clicks = _per_week("first_click_at", start, end, zone)
    labels = [date_format(monday, "SHORT_DATE_FORMAT") for monday in weeks]
    return WidgetData(
        series=(
            Series(
                name=_("Opened"),
                points=tuple(Point(label, opens.get(week, 0)) for label, week in zip(labels, weeks, strict=True)),
            ),
            Series(
                name=_("Clicked"),
                points=tuple(Point(label, clicks.get(week, 0)) for label, week in zip(labels, weeks, strict=True)),
            ),
        )
    )


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    return WidgetKind(
        key, title, description, display, compute, needs=("marketing",), permission="marketing.view_reports",
        filters=frozenset({SharedFilter.PERIOD}), **options,
    )  # fmt: skip


def register() -> None:
    register_widget(
        _kind("marketing-messages-sent", gettext_lazy("Marketing e-mails sent"),
              gettext_lazy("Messages handed over to the mail server in the period, against the period before."),
              Display.KPI, messages_sent, width=3, height=2, order=53)
    )  # fmt: skip
    register_widget(
        _kind("marketing-email-engagement", gettext_lazy("E-mail opens and clicks"),
              gettext_lazy("The e-mails sent in the period: messages sent, the share opened and clicked, bounces."),
              Display.TABLE, email_engagement, width=6, height=3, order=54)
    )  # fmt: skip
    register_widget(
        _kind("marketing-opens-clicks-per-week", gettext_lazy("Opens and clicks per week"),
              gettext_lazy("Recipients opening and clicking a marketing e-mail for the first time, per week "
                           "(the last eight weeks without a period)."),
              Display.BAR, opens_and_clicks, width=6, height=3, order=55)
    )  # fmt: skip
