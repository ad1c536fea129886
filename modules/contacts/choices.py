"""Choices of the customer record."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LifecycleStage(models.TextChoices):
    """Where a company or person stands in the relationship, from first touch to advocate."""

    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", pgettext_lazy("lifecycle stage", "Lead")
    MARKETING_QUALIFIED = "mql", _("Marketing qualified")
    SALES_QUALIFIED = "sql", _("Sales qualified")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    """How a record first reached us."""

    WEBSITE = "website", _("Website")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    EMAIL_CAMPAIGN = "email_campaign", _("E-mail campaign")
    COLD_CALL = "cold_call", _("Cold call")
    PARTNER = "partner", _("Partner")
    ADVERTISING = "advertising", _("Advertising")
    SOCIAL = "social", _("Social media")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Fields changed")
    ACTIVITY = "activity", pgettext_lazy("timeline", "Activity")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    LEAD_CONVERTED = "lead_converted", _("Lead converted")
    MERGED = "merged", _("Records merged")
    DEAL_WON = "deal_won", _("Deal won")
    DEAL_LOST = "deal_lost", _("Deal lost")
    QUOTE = "quote", _("Quote")
    ORDER = "order", pgettext_lazy("sales order", "Order")
    CASE = "case", pgettext_lazy("service case", "Case")
    NOTE = "note", _("Note")
    ATTACHMENT = "attachment", _("File attached")
    SMS = "sms", _("SMS")
    MARKETING_EMAIL = "marketing_email", _("Marketing e-mail")
    CAMPAIGN = "campaign", _("Campaign")
    FORM_SUBMITTED = "form_submitted", _("Form submitted")
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")
    CONSENT = "consent", _("Consent changed")
    COLLATERAL_SENT = "collateral_sent", _("Collateral sent")
    EMAIL = "email", _("E-mail")


class SavedViewEntity(models.TextChoices):
    """The core record types' list keys; other modules register theirs (``modules.lists.keys``)."""

    COMPANY = "company", _("Companies")
    CONTACT = "contact", _("Contacts")
    LEAD = "lead", _("Leads")
    DEAL = "deal", _("Deals")
    ACTIVITY = "activity", _("Activities")
    PRODUCT = "product", _("Products")
    QUOTE = "quote", _("Quotes")
    ORDER = "order", _("Orders")
    CASE = "case", _("Cases")
    CAMPAIGN = "campaign", _("Campaigns")
