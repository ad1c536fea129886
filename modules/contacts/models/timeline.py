from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.contacts.choices import TimelineKind


class TimelineEntry(models.Model):
    """One thing that happened to a customer record: who, what, when.

    An entry points at every record it belongs to (explicit foreign keys), so a call logged on a
    deal of a company shows on the deal's, the company's and the contact's timelines. Entries
    keep their ``data`` when a linked record is deleted: history is not rewritten.
    """

    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    company = models.ForeignKey("contacts.Company", on_delete=models.SET_NULL, null=True, related_name="timeline")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, related_name="timeline")
    lead = models.ForeignKey("sales.Lead", on_delete=models.SET_NULL, null=True, related_name="timeline")
    deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, related_name="timeline")
    order = models.ForeignKey("sales.Order", on_delete=models.SET_NULL, null=True, related_name="timeline")
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.SET_NULL, null=True, related_name="timeline_entries"
    )
    # What changed, e.g. {"changes": [{"field": "amount", "old": "10", "new": "20"}]} or
    # {"from_stage": "Proposal", "to_stage": "Won"}; rendered (and translated) when shown.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = (
            [
                models.Index(
                    fields=[field, "-occurred_at", "-id"],
                    name=f"contacts_timeline_{field}_idx",
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field in ("company", "contact", "lead", "deal", "order")
            ]
            + [
                # A timeline filtered by kind (``?kind=notes``): the record's entries of those kinds, newest
                # first, without walking past the entries of the other kinds.
                models.Index(
                    fields=[field, "kind", "-occurred_at", "-id"],
                    name=f"contacts_tl_{field}_kind_idx",
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field in ("company", "contact", "lead", "deal", "order")
            ]
            + [models.Index(fields=["activity"], name="contacts_timeline_activity_idx")]
            + [
                # A mail thread's entries (``data__thread``/``data__thread__in``): moved when the
                # thread gets a message, counted by tracking, deleted by retention.
                models.Index(
                    KeyTransform("thread", "data"),
                    name="contacts_tl_email_thread_idx",
                    condition=Q(kind=TimelineKind.EMAIL),
                )
            ]
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
