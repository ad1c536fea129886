from django.db import models
from django.utils.translation import gettext_lazy as _


class SendingMethod(models.TextChoices):
    PLATFORM = "platform", _("The platform's mail")
    SMTP = "smtp", _("Your SMTP server")
    SERVICE = "service", _("An e-mail service")


class SmtpSecurity(models.TextChoices):
    STARTTLS = "starttls", _("STARTTLS (usually port 587)")
    SSL = "ssl", _("TLS/SSL (usually port 465)")
    NONE = "none", _("None (only inside a trusted network)")


class Provider(models.TextChoices):
    """E-mail services reached through django-anymail."""

    AMAZON_SES = "amazon_ses", _("Amazon SES")
    MAILGUN = "mailgun", _("Mailgun")
    POSTMARK = "postmark", _("Postmark")
    SENDGRID = "sendgrid", _("SendGrid")
    BREVO = "brevo", _("Brevo")
    MAILJET = "mailjet", _("Mailjet")


class RecordState(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    PASS = "pass", _("Found")
    FAIL = "fail", _("Missing or different")
