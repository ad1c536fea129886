from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatusCategory(models.TextChoices):
    """What a case status means to the platform; tenants name and add statuses within these.

    SLA clocks run in NEW and OPEN, pause in PENDING (waiting on the customer) and ON_HOLD, and stop
    in SOLVED and CLOSED."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting on customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# Categories in which a case is still being worked on (shown in queues, counted in the backlog).
ACTIVE_CATEGORIES = (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING, StatusCategory.ON_HOLD)
# Categories in which the customer, not the agent, is expected to act: SLA clocks pause.
PAUSED_CATEGORIES = (StatusCategory.PENDING, StatusCategory.ON_HOLD)
DONE_CATEGORIES = (StatusCategory.SOLVED, StatusCategory.CLOSED)


class CaseChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    PHONE = "phone", _("Phone")
    WEB_FORM = "web_form", _("Web form")
    CHAT = "chat", _("Chat")
    AGENT = "agent", _("Entered by an agent")


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class MessageKind(models.TextChoices):
    """A public reply is seen by the customer (e-mail, portal); an internal note only by staff."""

    REPLY = "reply", _("Public reply")
    NOTE = "note", pgettext_lazy("case message", "Internal note")


class MessageAuthor(models.TextChoices):
    AGENT = "agent", _("Agent")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")
