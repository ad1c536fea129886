import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.activities.choices import NotificationKind

# Pages of notifications about something that is no record of ``DETAIL_URLS`` (an incoming call from
# an unknown number), registered by the module that writes them: entity → URL of a record id.
NOTIFICATION_TARGETS: dict[str, Callable[[int], str]] = {}


def register_notification_target(entity: str, url_of: Callable[[int], str]) -> None:
    NOTIFICATION_TARGETS[entity] = url_of


class Notification(models.Model):
    """An in-app notice for one user (a due reminder, an assignment, a mention, a change to a
    followed record), read or unread. ``entity`` and ``record_id`` name the record it is about
    (``customization.fields.entities``); it opens that record's page."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    entity = models.CharField(max_length=20, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=255)
    # Makes producers idempotent: a reminder task that runs twice writes one notification.
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="activities_notif_inbox_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def target_url(self) -> str | None:
        """The page of the record it is about (its activity's, for reminders)."""
        from customization.fields.entities import DETAIL_URLS, record_url

        if self.activity_id:
            return record_url("activity", self.activity_id)
        if self.entity in NOTIFICATION_TARGETS and self.record_id:
            return NOTIFICATION_TARGETS[self.entity](self.record_id)
        if self.entity in DETAIL_URLS and self.record_id:
            return record_url(self.entity, self.record_id)
        return None


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret iCalendar feed URL; resetting the token revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
