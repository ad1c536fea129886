from django.db import models
from django.utils.translation import gettext_lazy as _


class TouchKind(models.TextChoices):
    """How a campaign reached a person or a deal."""

    RESPONDED = "responded", _("Responded to the campaign")
    FORM = "form", _("Form submission")
    EMAIL_CLICK = "email_click", _("E-mail click")
    AD_CLICK = "ad_click", _("Ad click")
    VISIT = "visit", _("Website visit")
    OTHER = "other", _("Other")


class AttributionModel(models.TextChoices):
    """How a deal's amount is shared among the campaigns that touched it."""

    FIRST_TOUCH = "first", _("First touch")
    LAST_TOUCH = "last", _("Last touch")
    LINEAR = "linear", _("Linear (multi-touch)")
