from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CsatSurvey(models.Model):
    """The satisfaction question sent when a case is solved, and the customer's answer (a rating 1–5
    and a comment). The link's secret is kept only as its SHA-256 (``token_hash``); the agent and
    queue are those of the case when it was solved, so later reassignment does not move the score."""

    case = models.ForeignKey("service.Case", on_delete=models.CASCADE, related_name="csat_surveys")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    team = models.ForeignKey(
        "identity.Team", verbose_name=_("queue"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("sent to"), max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["answered_at", "agent"], name="contact_centre_csat_agent_idx"),
            models.Index(fields=["answered_at", "team"], name="contact_centre_csat_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="contact_centre_csat_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"CSAT {self.case_id}: {self.rating or '-'}"


class CsatSettings(models.Model):
    """The workspace's choice to ask for CSAT (one row; none means the default: asked). Switched
    off, solved cases send no survey; the answers already given stay."""

    enabled = models.BooleanField(_("ask customers for a rating when a case is solved"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("CSAT settings")
        verbose_name_plural = _("CSAT settings")

    def __str__(self) -> str:
        return "CSAT on" if self.enabled else "CSAT off"
