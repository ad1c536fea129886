from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.collaboration.targets import SUBJECTS, one_target


class Note(models.Model):
    """A rich-text note on one company, contact, lead, deal or order (exactly one foreign key is set).

    ``body`` is HTML already cleaned by the allow-list in ``sanitize.py`` (written only by
    ``services.notes``), so pages print it as is. ``mentioned`` are the users named with @ who
    could see the record when it was written."""

    body = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_notes")
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="notes"
    )
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="notes")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="notes")
    # ``Order.notes`` is the order's own text field, so its notes are reached as ``record_notes``.
    order = models.ForeignKey(
        "sales.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="record_notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [models.CheckConstraint(condition=one_target(), name="collaboration_note_one_record")]
        indexes = [
            models.Index(
                fields=[key, "-created_at"], name=f"collab_note_{key}_idx", condition=Q(**{f"{key}__isnull": False})
            )
            for key in SUBJECTS
        ]

    def __str__(self) -> str:
        return f"Note #{self.pk}"
