from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.activities.choices import Attendance, AttendeeRole


class ActivityAttendee(models.Model):
    """Someone invited to a meeting, by address, matched to a contact and/or a user when one has it.

    The organiser is an attendee row with ``is_organizer`` set. ``attendance`` follows iTIP replies
    and synced calendars; ``responded_at`` is when the last answer arrived."""

    activity = models.ForeignKey("activities.Activity", on_delete=models.CASCADE, related_name="attendees")
    email = models.EmailField(_("e-mail"), max_length=254)
    name = models.CharField(_("name"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=AttendeeRole.choices, default=AttendeeRole.REQUIRED)
    attendance = models.CharField(
        _("attendance"), max_length=15, choices=Attendance.choices, default=Attendance.NEEDS_ACTION
    )
    is_organizer = models.BooleanField(_("organiser"), default=False)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_invitations"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_organizer", "id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(fields=["activity", "email"], name="activities_attendee_once"),
            models.UniqueConstraint(
                fields=["activity"], condition=Q(is_organizer=True), name="activities_one_organizer"
            ),
        ]
        indexes = [
            models.Index(fields=["contact"], name="activities_attendee_contact"),
            models.Index(fields=["user"], name="activities_attendee_user"),
        ]

    def __str__(self) -> str:
        return self.name or self.email
