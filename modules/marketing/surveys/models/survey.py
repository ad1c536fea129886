"""A survey and its questions, as the marketer builds them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.marketing.surveys.choices import QuestionKind, ShareMode, SurveyKind, SurveyStatus


class Survey(models.Model):
    """An NPS, CSAT or custom survey. Its texts are written in one ``language``, which the
    invitation e-mail and the public page speak too. Answers come through personal invitations
    (``Invitation``) or, when ``share_mode`` allows, through one shareable link whose secret is kept
    only as its SHA-256 (``share_token_hash``)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices, default=SurveyKind.NPS)
    status = models.CharField(_("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    intro = models.TextField(_("introduction"), blank=True)
    thank_you = models.TextField(_("thank-you text"), blank=True)
    email_subject = models.CharField(_("invitation subject"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        "marketing.Campaign", verbose_name=_("campaign"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="surveys",
    )  # fmt: skip
    share_mode = models.CharField(_("shareable link"), max_length=20, choices=ShareMode.choices, default=ShareMode.OFF)
    share_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # With the service module in the plan: a detractor's answer opens a case for the contact.
    open_case_for_detractors = models.BooleanField(_("open a case for detractors"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a survey, at ``position``. ``choices`` is the list of option texts of a
    single or multiple choice question (empty for the other kinds)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label
