from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", pgettext_lazy("consent status", "Granted")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent status", "Withdrawn")
    PENDING = "pending", _("Waiting for confirmation")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", pgettext_lazy("consent action", "Consent given")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent action", "Consent withdrawn")
    CONFIRMATION_SENT = "confirmation_sent", _("Confirmation e-mail sent")
    CONFIRMED = "confirmed", _("Subscription confirmed")
    SUPPRESSED = "suppressed", _("Address suppressed")
    UNSUPPRESSED = "unsuppressed", _("Address removed from the suppression list")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Web form")
    IMPORT = "import", _("Import")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    PREFERENCE_PAGE = "preference_page", _("Preference page")
    STAFF = "staff", _("Recorded by staff")
    API = "api", _("API")
    BOUNCE = "bounce", _("Bounce")
    COMPLAINT = "complaint", _("Spam complaint")
