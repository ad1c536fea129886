from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordVisibility(models.TextChoices):
    """Which records a role sees: its own, its teams' members', or everyone's."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")
