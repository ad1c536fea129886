"""Due reminders become in-app notifications for the assignee, once each."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from modules.activities.choices import ActivityStatus, NotificationKind
from modules.activities.models import Activity, Notification

BATCH_SIZE = 500


def reminder_key(activity: Activity) -> str:
    """One notification per activity and reminder time: re-arming the reminder (a new time) notifies again."""
    stamp = int(activity.remind_at.timestamp()) if activity.remind_at else 0
    return f"reminder:{activity.pk}:{stamp}"


def send_due_reminders(now: datetime | None = None) -> int:
    """Notify the assignees of open activities whose reminder time has come; returns how many activities.

    Runs in the current tenant's schema. Safe to run twice or concurrently: rows being handled by
    another run are skipped, and the notification's unique ``dedupe_key`` absorbs any repeat."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Activity.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee")
            .filter(
                status=ActivityStatus.OPEN,
                remind_at__lte=now,
                reminded_at__isnull=True,
                assignee__isnull=False,
                assignee__is_active=True,
            )
            .order_by("remind_at", "id")[:BATCH_SIZE]
        )
        notifications = []
        for activity in due:
            recipient = activity.assignee
            if recipient is None:  # excluded by the query; keeps the type checker informed
                continue
            with override(recipient.locale or None):
                title = _("Reminder: %(subject)s") % {"subject": activity.subject}
            notifications.append(
                Notification(
                    recipient=recipient,
                    kind=NotificationKind.REMINDER,
                    activity=activity,
                    title=title[:255],
                    dedupe_key=reminder_key(activity),
                )
            )
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        Activity.objects.filter(pk__in=[activity.pk for activity in due]).update(reminded_at=now)
    return len(due)
