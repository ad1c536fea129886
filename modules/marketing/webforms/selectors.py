"""Reads of web forms for the staff pages: the forms with their figures, a form's submissions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from modules.marketing.webforms.choices import SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm


def forms_with_figures() -> QuerySet[WebForm]:
    """Every form with its accepted, duplicate and spam submission counts (one query)."""
    return WebForm.objects.annotate(
        accepted=Count("submissions", filter=Q(submissions__status=SubmissionStatus.ACCEPTED)),
        duplicates=Count("submissions", filter=Q(submissions__status=SubmissionStatus.DUPLICATE)),
        spam=Count("submissions", filter=Q(submissions__status=SubmissionStatus.SPAM)),
    ).order_by("name", "id")


def conversion(form: Any) -> float | None:
    """Share of views that became a (non-spam) submission, in per cent."""
    if not form.views:
        return None
    return round(100 * (form.accepted + form.duplicates) / form.views, 1)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def submissions(form: WebForm, filters: Mapping[str, Any]) -> QuerySet[Submission]:
    rows = Submission.objects.filter(form=form).select_related("lead", "contact")
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("since"):
        rows = rows.filter(created_at__gte=_start(filters["since"]))
    if filters.get("until"):
        rows = rows.filter(created_at__lt=_start(filters["until"]) + timedelta(days=1))
    if filters.get("q"):
        rows = rows.filter(data__email__icontains=filters["q"])
    return rows.order_by("-created_at", "-id")


def daily_counts(form: WebForm, days: int = 30) -> list[dict[str, Any]]:
    """Submissions per day over the last ``days`` days, by status (one grouped query)."""
    from django.db.models.functions import TruncDate

    since = timezone.now() - timedelta(days=days)
    rows = (
        Submission.objects.filter(form=form, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "status")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    by_day: dict[date, dict[str, Any]] = {}
    for row in rows:
        entry = by_day.setdefault(row["day"], {"day": row["day"], **{status: 0 for status in SubmissionStatus.values}})
        entry[row["status"]] = row["count"]
    return list(by_day.values())
