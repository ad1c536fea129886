from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.service.choices import ACTIVE_CATEGORIES, DONE_CATEGORIES, CaseChannel, CasePriority, StatusCategory


class CaseStatus(models.Model):
    """A status a tenant's cases move through. Tenants rename, add and order statuses; the
    ``category`` tells the platform what each means (queues, SLA pauses, solved and closed)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=10, choices=StatusCategory.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("case status")
        verbose_name_plural = _("case statuses")

    def __str__(self) -> str:
        return self.label

    @property
    def is_done(self) -> bool:
        return self.category in DONE_CATEGORIES


class CaseCategory(models.Model):
    """What a case is about (billing, technical, returns…): used by assignment rules and reports."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """A customer's request to the service team: numbered, in a queue (a team), owned by an agent,
    moving through the tenant's statuses. Written only by ``services.cases``; its conversation is
    ``CaseMessage`` rows, its SLA clock lives in ``modules.service.sla``."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.AGENT)
    priority = models.CharField(_("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL)
    status = models.ForeignKey("service.CaseStatus", on_delete=models.PROTECT, related_name="cases")
    category = models.ForeignKey(
        "service.CaseCategory", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    team = models.ForeignKey(
        "identity.Team", verbose_name=_("queue"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="cases",
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_cases",
    )  # fmt: skip
    deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    order = models.ForeignKey("sales.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    product = models.ForeignKey("sales.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    # The language the customer writes in (an IETF tag such as "de"); assignment and replies follow it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="merged_cases",
    )  # fmt: skip
    # When the status last changed, and when the case first reached these points.
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(_("last customer message"), null=True, blank=True)
    last_agent_message_at = models.DateTimeField(_("last agent message"), null=True, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="service_case_owner_idx"),
            models.Index(fields=["team", "-created_at"], name="service_case_team_idx"),
            models.Index(fields=["status", "-created_at"], name="service_case_status_idx"),
            models.Index(fields=["contact", "-created_at"], name="service_case_contact_idx"),
            models.Index(fields=["company", "-created_at"], name="service_case_company_idx"),
            models.Index(fields=["-created_at", "-id"], name="service_case_created_idx"),
            models.Index(fields=["updated_at", "id"], name="service_case_updated_idx"),
            # The list's search matches any part of the number or subject (``lists.filter_cases``).
            GinIndex(OpClass(Lower("number"), name="gin_trgm_ops"), name="service_case_number_trgm"),
            GinIndex(OpClass(Lower("subject"), name="gin_trgm_ops"), name="service_case_subject_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status.category in ACTIVE_CATEGORIES


def active_case() -> Q:
    """Cases still being worked on (for ``Case.objects.filter``)."""
    return Q(status__category__in=ACTIVE_CATEGORIES)
