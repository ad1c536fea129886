"""Who was asked (invitations), what they answered (responses and answers), and every contact's
latest NPS."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.marketing.surveys.choices import NpsCategory


class Invitation(models.Model):
    """A contact asked to answer a survey: one per contact and survey. The personal link's secret
    is kept only as its SHA-256 (``token_hash``, set when the e-mail goes out)."""

    survey = models.ForeignKey("marketing_surveys.Survey", on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="survey_invitations")
    email = models.EmailField(_("sent to"), max_length=254, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "contact"], name="marketing_surveys_one_invitation"),
        ]
        indexes = [models.Index(fields=["survey", "sent_at"], name="marketing_surveys_inv_sent_idx")]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.contact_id}"


class Response(models.Model):
    """One person's answers to a survey. An invitation has at most one response (answering again
    changes it); answers through the shareable link have none and may have no contact.
    ``score`` is the survey's NPS (0–10) or CSAT (1–5) answer, ``category`` the NPS band."""

    survey = models.ForeignKey("marketing_surveys.Survey", on_delete=models.CASCADE, related_name="responses")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    category = models.CharField(_("NPS category"), max_length=20, choices=NpsCategory.choices, blank=True)
    # The case a detractor's answer opened (its number), so an answer changed later opens no second one.
    case_number = models.CharField(_("case"), max_length=30, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey", "submitted_at"], name="marketing_surveys_resp_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="marketing_surveys_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.score if self.score is not None else '-'}"


class Answer(models.Model):
    """The answer to one question: ``number`` for the scales, ``choices`` (a list of option texts)
    for choice questions, ``text`` for text questions."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("marketing_surveys.Question", on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(_("number"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="marketing_surveys_one_answer"),
        ]
        indexes = [models.Index(fields=["question", "number"], name="marketing_surveys_answer_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"

    @property
    def value(self) -> object:
        if self.number is not None:
            return self.number
        return self.choices if self.choices else self.text


class ContactNps(models.Model):
    """A contact's latest NPS answer, kept by every answer (shown on the contact's page)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="nps")
    score = models.SmallIntegerField(_("NPS score"))
    category = models.CharField(_("NPS category"), max_length=20, choices=NpsCategory.choices)
    survey = models.ForeignKey("marketing_surveys.Survey", on_delete=models.SET_NULL, null=True, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("contact NPS")
        verbose_name_plural = _("contacts' NPS")

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.score} ({self.category})"
