from django.db import models
from django.utils.translation import gettext_lazy as _


class Entity(models.TextChoices):
    """The records a tenant can add fields to; each has a ``custom`` JSONB column."""

    COMPANY = "company", _("Company")
    CONTACT = "contact", _("Contact")
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")
    ACTIVITY = "activity", _("Activity")
    ORDER = "order", _("Order")
    CASE = "case", _("Case")
    CAMPAIGN = "campaign", _("Campaign")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes / no")
    SINGLE_SELECT = "single_select", _("Single select")
    MULTI_SELECT = "multi_select", _("Multi select")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    URL = "url", _("URL")
    USER = "user", _("User")
    REFERENCE = "reference", _("Reference to a record")


class IndexState(models.TextChoices):
    NONE = "none", _("Not indexed")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# Stored values of these types compare as numbers (the index and filters cast to numeric).
NUMERIC_TYPES = frozenset({FieldType.NUMBER, FieldType.DECIMAL, FieldType.MONEY})
SELECT_TYPES = frozenset({FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT})
