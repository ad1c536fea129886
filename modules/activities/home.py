"""What activities put on the home page: today's and overdue activities, unread notifications, and
activities among the recent records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.activities.choices import ActivityStatus
from modules.activities.models import Notification
from modules.activities.selectors import local_day_start, visible_activities
from modules.home.cards import first_rows, scoped
from modules.home.registry import HomeCard, RecentKind, register_card, register_recent_kind
from modules.home.scope import Scope
from modules.registry import is_enabled

AGENDA_LIMIT = 10
NOTIFICATION_LIMIT = 5


def agenda(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any]:
    """Open activities due before tomorrow in the user's zone (overdue first), and how many there are."""
    now = timezone.now()
    today_start = local_day_start(timezone.localdate(now))
    tomorrow_start = local_day_start(timezone.localdate(now) + timedelta(days=1))
    due = scoped(
        visible_activities, user, scope, owner_field="assignee", status=ActivityStatus.OPEN, due_at__lt=tomorrow_start
    )
    overdue = Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today_start)
    counts = due.aggregate(total=Count("id"), overdue=Count("id", filter=overdue))
    return {
        "activities": list(due.order_by("due_at", "id")[:AGENDA_LIMIT]),
        "total": counts["total"],
        "overdue": counts["overdue"],
        "now": now,
        "today_start": today_start,
        "tomorrow": timezone.localdate(now) + timedelta(days=1),
        "show_assignee": scope.is_team,
        "sales_enabled": is_enabled(getattr(request, "tenant", None), "sales"),
        "header_link": reverse("activities:activity-list"),
        "header_label": _("All my activities"),
    }


def notifications(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any]:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).select_related("activity")
    items, total = first_rows(unread, NOTIFICATION_LIMIT, "-created_at", "-id")
    return {
        "notifications": items,
        "total": total,
        "header_link": reverse("activities:notifications"),
        "header_label": _("All notifications"),
    }


def register() -> None:
    register_card(
        HomeCard(
            key="agenda",
            title=_("Today and overdue"),
            template="activities/home/agenda.html",
            context=agenda,
            module="activities",
            order=10,
        )
    )
    register_card(
        HomeCard(
            key="notifications",
            title=_("Unread notifications"),
            template="activities/home/notifications.html",
            context=notifications,
            module="activities",
            order=50,
        )
    )
    register_recent_kind(
        RecentKind(
            key="activity",
            model="activities.Activity",
            label=_("Activity"),
            url_name="activities:activity-detail",
            icon="check2-square",
            visible=visible_activities,
            module="activities",
        )
    )
