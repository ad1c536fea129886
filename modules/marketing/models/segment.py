"""Segments of contacts: dynamic (rules evaluated in SQL, membership kept in ``SegmentMember`` as
contacts change) or static lists (members added by hand, by import or by a workflow)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.choices import MembershipSource, SegmentKind


class Segment(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC)
    # An AND/OR group of rules (shape: modules.marketing.segments); empty for a static list.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A contact in a segment: the rules' current answer for a dynamic segment, the list for a
    static one. Reading a segment's contacts is a join on this table (``selectors.segments``)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="segment_memberships")
    source = models.CharField(max_length=10, choices=MembershipSource.choices, default=MembershipSource.RULES)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["segment", "contact"]
        constraints = [models.UniqueConstraint(fields=["segment", "contact"], name="marketing_segment_member_unique")]
        indexes = [models.Index(fields=["contact", "segment"], name="marketing_member_contact_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.contact_id}"
