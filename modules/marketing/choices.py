from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    EVENT = "event", pgettext_lazy("marketing campaign kind", "Event")
    WEBINAR = "webinar", _("Webinar")
    ADVERTISING = "ads", _("Advertising")
    TRADE_SHOW = "trade_show", _("Trade show")
    PARTNER = "partner", _("Partner")
    CONTENT = "content", _("Content")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ABORTED = "aborted", _("Aborted")


class MemberStatus(models.TextChoices):
    """How far a member has come in a campaign, in the order a campaign moves them."""

    TARGETED = "targeted", _("Targeted")
    SENT = "sent", pgettext_lazy("campaign member", "Sent")
    RESPONDED = "responded", _("Responded")
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Dynamic (rules)")
    STATIC = "static", _("Static list")


class MembershipSource(models.TextChoices):
    RULES = "rules", _("Matches the rules")
    MANUAL = "manual", _("Added by hand")


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed from everything")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    MANUAL = "manual", _("Added by hand")


class EmailStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", pgettext_lazy("marketing e-mail", "Sent")
    CANCELLED = "cancelled", _("Cancelled")
