from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentMethod(models.TextChoices):
    """How an assignment rule picks the agent of a case."""

    ROUND_ROBIN = "round_robin", _("Round robin over the queue's members")
    LEAST_LOADED = "least_loaded", _("The member with the fewest open cases")
    FIXED = "fixed", _("A fixed agent")
