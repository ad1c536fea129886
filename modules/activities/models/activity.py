from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.activities.choices import ActivityKind, ActivityStatus, Direction, Outcome, Priority
from modules.contacts.models.managers import SearchableManager


class Activity(models.Model):
    """A task, call, meeting, e-mail or note about a company, contact, lead or deal.

    Links are explicit foreign keys (any combination, all optional). ``origin`` is the activity
    whose completion created this one: a follow-up chain reads origin → follow_ups.
    For meetings ``due_at`` is the start and ``ends_at`` the end.
    """

    kind = models.CharField(_("type"), max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    lead = models.ForeignKey("sales.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities")
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Calendar identity and recurrence (RFC 5545). ``ical_uid`` is the event's UID, kept from an
    # imported file or a synced calendar so that re-reading the same event updates it; meetings
    # created here get one when first exported. A recurring meeting stores its rule and dates and
    # is expanded when read (calendar, feed, sync); an instance that was moved or changed is its
    # own row pointing at ``series`` with the ``recurrence_id`` (original start) it replaces.
    # Database defaults too: bulk writers (COPY of the demo and imports) leave these columns out.
    ical_uid = models.CharField(_("calendar UID"), max_length=255, blank=True, default="", db_default="")
    ical_sequence = models.PositiveIntegerField(default=0, db_default=0)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="", db_default="")
    rrule = models.TextField(_("recurrence rule"), blank=True, default="", db_default="")
    rdates = models.JSONField(default=list, db_default=[], blank=True)
    exdates = models.JSONField(default=list, db_default=[], blank=True)
    series = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="overrides", verbose_name=_("series")
    )
    recurrence_id = models.DateTimeField(null=True, blank=True)
    # The tenant's custom fields by key (customization.fields validates); raw inserts get {}.
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("subject", weight="A", config="simple")
        + SearchVector("body", weight="C", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SearchableManager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="activities_assignee_due_idx"),
            models.Index(fields=["due_at", "id"], name="activities_due_idx"),
            models.Index(fields=["completed_at"], name="activities_completed_idx"),
            models.Index(fields=["remind_at"], name="activities_reminder_idx", condition=Q(reminded_at__isnull=True)),
            models.Index(fields=["company", "due_at"], name="activities_company_idx"),
            models.Index(fields=["contact", "due_at"], name="activities_contact_idx"),
            models.Index(fields=["lead", "due_at"], name="activities_lead_idx"),
            models.Index(fields=["deal", "due_at"], name="activities_deal_idx"),
            GinIndex(fields=["search_vector"], name="activities_search_idx"),
            models.Index(fields=["ical_uid"], name="activities_ical_uid_idx", condition=~Q(ical_uid="")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(due_at__isnull=False, ends_at__gte=models.F("due_at")),
                name="activities_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"],
                condition=Q(series__isnull=False),
                name="activities_one_override_per_instance",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == ActivityStatus.OPEN
