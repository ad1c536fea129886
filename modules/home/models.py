from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecentRecord(models.Model):
    """A record a user opened, for the home page's "recent records" card.

    One row per user and record (``kind`` is a key of the recent-kind registry), its time moved
    on every visit; each user keeps their latest ``modules.home.recent.KEEP`` rows.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    viewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-viewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_id"], name="home_recent_one_per_record"),
        ]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="home_recent_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.object_id}"


class OnboardingState(models.Model):
    """The workspace's onboarding checklist: dismissed (by whom and when) or not. One row at most."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "dismissed" if self.dismissed_at else "open"
