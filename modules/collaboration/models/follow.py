from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.collaboration.targets import SUBJECTS, one_target


class Follow(models.Model):
    """A user following one record: they are told when it changes (``consumers.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    company = models.ForeignKey("contacts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.CheckConstraint(condition=one_target(), name="collaboration_follow_one_record"),
            *(
                models.UniqueConstraint(
                    fields=[key, "user"], condition=Q(**{f"{key}__isnull": False}), name=f"collab_follow_{key}_once"
                )
                for key in SUBJECTS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows"
