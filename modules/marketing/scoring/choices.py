from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    FIT = "fit", _("Fit (a field's value)")
    BEHAVIOUR = "behaviour", _("Behaviour (something the person did)")


class ScoredEntity(models.TextChoices):
    CONTACT = "contact", _("Contact")
    LEAD = "lead", _("Lead")


class Operator(models.TextChoices):
    EQ = "eq", _("is")
    NE = "ne", _("is not")
    CONTAINS = "contains", _("contains")
    GT = "gt", _("is greater than")
    GTE = "gte", _("is at least")
    LT = "lt", _("is less than")
    LTE = "lte", _("is at most")
    SET = "set", _("is filled in")
    EMPTY = "empty", _("is empty")


class BehaviourEvent(models.TextChoices):
    """Outbox event types a behaviour rule scores (their ``entity`` says whose behaviour it is)."""

    EMAIL_OPENED = "marketing_email.opened", _("Opened a marketing e-mail")
    EMAIL_CLICKED = "marketing_email.clicked", _("Clicked a link in a marketing e-mail")
    FORM_SUBMITTED = "form.submitted", _("Submitted a web form")
    SURVEY_ANSWERED = "survey.answered", _("Answered a survey")
    ACTIVITY_CREATED = "activity.created", _("An activity was logged")
    DEAL_CREATED = "deal.created", _("A deal was created")


class Decay(models.TextChoices):
    NONE = "none", _("Points are kept")
    PERCENT = "percent", _("Points lose a share every N days")
    EXPIRE = "expire", _("Points expire after N days")
