from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyKind(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (NPS)")
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    CUSTOM = "custom", _("Custom")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class ShareMode(models.TextChoices):
    """Whether the survey has a link anyone may answer, and whether it asks who answers."""

    OFF = "off", _("No shareable link (personal invitations only)")
    ANONYMOUS = "anonymous", _("Shareable link, anonymous answers")
    EMAIL = "email", _("Shareable link asking for an e-mail address")


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Likelihood to recommend (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    RATING = "rating", _("Rating (1–5)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")


class NpsCategory(models.TextChoices):
    """The NPS bands: 9–10 promoters, 7–8 passives, 0–6 detractors."""

    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")


SCORED_KINDS = (QuestionKind.NPS, QuestionKind.CSAT)
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
# The range of the numeric kinds.
SCALES = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5), QuestionKind.RATING: (1, 5)}


def nps_category(score: int) -> str:
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR
