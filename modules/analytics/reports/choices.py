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
