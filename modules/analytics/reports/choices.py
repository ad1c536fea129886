from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartType(models.TextChoices):
    BAR = "bar", _("Bar chart")
    LINE = "line", _("Line chart")
    PIE = "pie", _("Pie chart")
    TABLE = "table", _("Table only")


class Sharing(models.TextChoices):
    PRIVATE = "private", _("Only me")
    EVERYONE = "everyone", _("Everyone")
    ROLE = "role", _("A role")
    TEAM = "team", _("A team")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DeliveryFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
