"""The web forms' dashboard widget kind (``modules.analytics.dashboards.widgets``), registered from
``MarketingFormsConfig.ready()``: submissions per form in the period.

Forms have no owner, so the kind honours the period only (submission days in the reader's time
zone, the zone the submission list filters in). Spam is left out; accepted submissions and
duplicates are two series, each point opening the form's submissions of that status and period."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.analytics.dashboards.builtin_support import day_params, list_url, reader_zone, within
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
from modules.marketing.webforms.choices import SubmissionStatus
from modules.marketing.webforms.models import Submission

TOP = 10


def submissions_per_form(user: User, filters: DashboardFilters) -> WidgetData:
    """The ten forms with the most submissions (not spam) in the period (one grouped query)."""
    with reader_zone(user):
        submitted = within(Submission.objects.order_by(), "created_at", filters.start, filters.end)
        groups = list(
            submitted.exclude(status=SubmissionStatus.SPAM)
            .values("form_id", "form__name")
            .annotate(
                accepted=Count("pk", filter=Q(status=SubmissionStatus.ACCEPTED)),
                duplicates=Count("pk", filter=Q(status=SubmissionStatus.DUPLICATE)),
                total=Count("pk"),
            )
            .order_by("-total", "form__name", "form_id")[:TOP]
        )
    days = day_params(filters.start, filters.end, "since", "until")

    def point(group: dict[str, object], status: str, value: object) -> Point:
        params = [("form", str(group["form_id"])), ("status", status), *days]
        return Point(str(group["form__name"]), value, list_url("marketing-forms:all-submissions", params))  # type: ignore[arg-type]

    return WidgetData(
        series=(
            Series(
                _("Accepted"), tuple(point(group, SubmissionStatus.ACCEPTED, group["accepted"]) for group in groups)
            ),
            Series(
                _("Duplicates"),
                tuple(point(group, SubmissionStatus.DUPLICATE, group["duplicates"]) for group in groups),
            ),
        )
    )


def register() -> None:
    register_widget(
        WidgetKind(
            key="marketing-form-submissions", title=gettext_lazy("Form submissions"),
            description=gettext_lazy("Submissions per web form in the period (spam left out): accepted and "
                                     "duplicates."),
            display=Display.BAR, compute=submissions_per_form, needs=("marketing",),
            permission="marketing.view_reports", filters=frozenset({SharedFilter.PERIOD}), width=6, height=3,
            order=56,
        )
    )  # fmt: skip
