from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.service.choices import CaseChannel, CasePriority
from modules.service.desk.choices import AssignmentMethod


class AssignmentRule(models.Model):
    """Who gets a case that arrives without an agent. Rules are tried in ``position`` order; the first
    whose conditions all hold (an empty condition holds for every case) picks the agent. The
    candidates are the active members of ``queue`` (the case's own queue when empty); round robin
    keeps its place in ``last_agent``, read and written under a row lock."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    category = models.ForeignKey(
        "service.CaseCategory", verbose_name=_("category"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=CasePriority.choices, blank=True)
    team = models.ForeignKey(
        "identity.Team", verbose_name=_("case's queue"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    method = models.CharField(_("method"), max_length=20, choices=AssignmentMethod.choices)
    queue = models.ForeignKey(
        "identity.Team", verbose_name=_("assign within queue"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    last_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=AssignmentMethod.FIXED) | Q(agent__isnull=False), name="service_desk_fixed_agent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A reply agents insert instead of typing it again, with merge fields filled from the case
    (``{{ contact.first_name | "there" }}``). Shared with every agent when ``owner`` is empty,
    otherwise personal to its owner."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=20000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personal to"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        indexes = [models.Index(fields=["owner", "title"], name="service_desk_canned_owner_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
