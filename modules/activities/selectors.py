"""Reads for the activity pages: every query goes through record visibility (owner = assignee)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from identity.models import Team, User
from identity.visibility import restrict_to_visible, visible_owner_ids
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity, Notification
from modules.activities.services.recurrence import recurring_or_in_range

LINK_FIELDS = ("company", "contact", "lead", "deal")
OWNER_FIELD = "assignee"


def visible_activities(user: User) -> QuerySet[Activity]:
    """Activities ``user`` may see, with what a row shows loaded in the same query."""
    queryset = Activity.objects.select_related("assignee", *LINK_FIELDS)
    return restrict_to_visible(queryset, user, owner_field=OWNER_FIELD)


def assignable_users(user: User) -> QuerySet[User]:
    """Who ``user`` may assign activities to: the people whose records they see."""
    users = User.objects.filter(is_active=True).order_by("full_name", "email")
    owners = visible_owner_ids(user)
    return users if owners is None else users.filter(pk__in=owners)


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams whose calendar ``user`` may open: all of them with full visibility, else their own."""
    if visible_owner_ids(user) is None:
        return Team.objects.order_by("name")
    return user.teams.order_by("name")


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def due_state(activity: Activity, now: datetime | None = None) -> str:
    """ "overdue", "today" or "upcoming" (later, or undated) for an open activity; "" otherwise.
    An all-day activity is overdue only once its day is over."""
    if activity.status != ActivityStatus.OPEN:
        return ""
    now = now or timezone.now()
    today_start = local_day_start(timezone.localdate(now))
    tomorrow_start = local_day_start(timezone.localdate(now) + timedelta(days=1))
    if activity.due_at is None or activity.due_at >= tomorrow_start:
        return "upcoming"
    if activity.due_at < (today_start if activity.all_day else now):
        return "overdue"
    return "today"


def overdue(now: datetime | None = None) -> Q:
    """Open activities past due: ``due_state``'s rule in SQL (an all-day one once its day is over)."""
    now = now or timezone.now()
    today_start = local_day_start(timezone.localdate(now))
    return Q(status=ActivityStatus.OPEN) & (Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today_start))


def filter_activities(queryset: QuerySet[Activity], filters: dict[str, Any], user: User) -> QuerySet[Activity]:
    """Apply the list's filter form values (already validated)."""
    if filters.get("kind"):
        queryset = queryset.filter(kind=filters["kind"])
    status = filters.get("status") or ActivityStatus.OPEN
    if status != "all":
        queryset = queryset.filter(status=status)
    assignee = filters.get("assignee") or "me"
    if assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif assignee != "all":
        queryset = queryset.filter(assignee_id=int(assignee))
    if filters.get("due_from"):
        queryset = queryset.filter(due_at__gte=local_day_start(filters["due_from"]))
    if filters.get("due_to"):
        queryset = queryset.filter(due_at__lt=local_day_start(filters["due_to"] + timedelta(days=1)))
    if filters.get("completed_from"):
        queryset = queryset.filter(completed_at__gte=local_day_start(filters["completed_from"]))
    if filters.get("completed_to"):
        queryset = queryset.filter(completed_at__lt=local_day_start(filters["completed_to"] + timedelta(days=1)))
    if filters.get("overdue"):
        queryset = queryset.filter(overdue())
    if filters.get("assignees"):
        queryset = queryset.filter(assignee_id__in=filters["assignees"])
    for name in LINK_FIELDS:
        if filters.get(name):
            queryset = queryset.filter(**{f"{name}_id": filters[name]})
    if filters.get("q"):
        queryset = queryset.filter(subject__icontains=filters["q"])
    return queryset


def calendar_activities(user: User, *, start: datetime, end: datetime, team: Team | None = None) -> QuerySet[Activity]:
    """Dated, not cancelled activities overlapping [start, end), and recurring series that may have
    an instance in it (``recurrence.expand`` turns the rows into occurrences): the user's own, or a
    team's members'."""
    queryset = (
        visible_activities(user).exclude(status=ActivityStatus.CANCELLED).filter(recurring_or_in_range(start, end))
    )
    queryset = queryset.filter(assignee=user) if team is None else queryset.filter(assignee__teams=team)
    return queryset.order_by("due_at", "id")


def unread_and_newest(user: User) -> tuple[int, int]:
    """How many of ``user``'s notifications are unread, and the id of the newest (0: none), in one query."""
    totals = Notification.objects.filter(recipient=user).aggregate(
        unread=Count("id", filter=Q(read_at__isnull=True)), newest=Max("id")
    )
    return totals["unread"], totals["newest"] or 0


def new_unread(user: User, *, after: int) -> QuerySet[Notification]:
    """Unread notifications written after the one with id ``after``, newest first."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True, pk__gt=after).order_by("-id")


def inbox(user: User) -> QuerySet[Notification]:
    """A user's notifications, unread first, newest first within each."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("activity")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")
    )
