"""A user's connected CalDAV calendar and what the sync knows of each event in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.activities.calendar_sync.choices import CalendarKind, ConflictWinner, ConnectionState, PartialReason

DEFAULT_PAST_DAYS = 30


class CalendarConnection(models.Model):
    """One user's calendar, synced both ways with their meetings and calls: a CalDAV collection
    (``kind`` caldav: ``url``, ``username``, ``password``) or a provider's calendar reached through
    a connected account (``kind`` microsoft: ``oauth_account``, read by delta queries from
    ``delta_link``; see ``services.graph``).

    ``password`` is stored encrypted (``core.encryption``). ``ctag`` is the collection's
    getctag (or sync-token) seen by the last complete read: while it is unchanged and nothing
    changed here, a run reads nothing more. ``past_days`` bounds the first sync: older events of
    the calendar are not brought in (a series always is). ``failures`` counts runs that failed in a
    row; ``next_sync_at`` is when the next run may start (backoff)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_connection")
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.CALDAV)
    oauth_account = models.ForeignKey(
        "oauth_accounts.OAuthAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calendar_connections",
    )
    delta_link = models.TextField(blank=True)
    # The end of the window the delta in ``delta_link`` covers (a delta keeps the window it began
    # with, so the sync begins a new one before this comes near).
    window_until = models.DateTimeField(null=True, blank=True)
    url = models.CharField(_("calendar URL"), max_length=2000, blank=True)
    username = models.CharField(_("user name"), max_length=254, blank=True)
    password = models.TextField(_("password"), blank=True)
    past_days = models.PositiveSmallIntegerField(_("days of past events to bring in"), default=DEFAULT_PAST_DAYS)
    state = models.CharField(max_length=10, choices=ConnectionState.choices, default=ConnectionState.ACTIVE)
    ctag = models.CharField(max_length=500, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("calendar connection")
        verbose_name_plural = _("calendar connections")
        indexes = [models.Index(fields=["state", "next_sync_at"], name="calendar_sync_due_idx")]

    def __str__(self) -> str:
        return self.url or self.kind


class SyncedEvent(models.Model):
    """An event resource of the connected calendar and the meeting it is (by UID). For a Graph
    calendar ``uid`` and ``href`` are the event's Graph id and ``etag`` its ``changeKey``.

    ``etag`` is the resource's version last read or written; ``local_version`` the meeting's
    latest ``updated_at`` (its overrides included) at that moment, so a later one means it changed
    here. ``activity`` becomes empty when the meeting is deleted here: the next run deletes the
    resource. ``ignored`` marks an event older than the first sync's period (kept so it is not
    read again). The last conflict (both sides changed between two runs) is recorded here and
    shown on the meeting.

    A meeting whose rule Graph cannot express may be written as several Graph series (one per
    wall-clock time of its occurrences and per span of days written): the first is the meeting's
    own synced event (``uid`` its UID), the others have ``written_pattern["part"]`` set."""

    connection = models.ForeignKey("calendar_sync.CalendarConnection", on_delete=models.CASCADE, related_name="events")
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="calendar_copies"
    )
    uid = models.CharField(max_length=255)
    href = models.CharField(max_length=1000)
    etag = models.CharField(max_length=255, blank=True)
    local_version = models.DateTimeField(null=True, blank=True)
    ignored = models.BooleanField(default=False)
    conflict_at = models.DateTimeField(null=True, blank=True)
    conflict_winner = models.CharField(max_length=10, choices=ConflictWinner.choices, blank=True)
    conflict_lost = models.CharField(max_length=500, blank=True)
    # A series written to Graph as nearest patterns (``graph_segments``): the recurrence written,
    # the wall-clock time and the span of days it covers, and ``part`` for every event of the
    # meeting but its first; for a rule beyond Graph's limits, written as its first occurrence only,
    # ``partial`` (a ``PartialReason``). Empty for any other event.
    written_pattern = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("synced calendar event")
        verbose_name_plural = _("synced calendar events")
        constraints = [
            models.UniqueConstraint(fields=["connection", "uid"], name="calendar_sync_uid_once"),
            models.UniqueConstraint(fields=["connection", "href"], name="calendar_sync_href_once"),
        ]
        indexes = [models.Index(fields=["activity"], name="calendar_sync_activity_idx")]

    def __str__(self) -> str:
        return self.href

    @property
    def partial_reason(self) -> str:
        """Why only the meeting's first occurrence is in the calendar ("" when all of it is)."""
        code = self.written_pattern.get("partial") if isinstance(self.written_pattern, dict) else None
        return str(PartialReason(code).label) if code in PartialReason.values else ""
