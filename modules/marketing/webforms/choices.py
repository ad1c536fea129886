from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Creates(models.TextChoices):
    """The record a form's submission becomes."""

    LEAD = "lead", _("Lead")
    CONTACT = "contact", _("Contact")


class OnDuplicate(models.TextChoices):
    """What a submission does when a lead or contact already has its e-mail address."""

    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record")
    SKIP = "skip", _("Leave the existing record as it is")


class InputType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    EMAIL = "email", _("E-mail")
    PHONE = "tel", _("Phone")
    URL = "url", _("URL")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHECKBOX = "checkbox", _("Checkbox")
    SELECT = "select", _("Choice")


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("form submission", "Accepted")
    SPAM = "spam", _("Spam")
    DUPLICATE = "duplicate", pgettext_lazy("form submission", "Duplicate")
