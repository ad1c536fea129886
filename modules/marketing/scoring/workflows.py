"""The workflow trigger "Score reaches a threshold": fired by ``score.threshold_reached`` for the
threshold chosen in the rule, once per upward crossing (``services.compute.follow_thresholds``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from customization.workflows.registry import WorkflowTrigger, register_trigger
from modules.marketing.scoring.services.compute import THRESHOLD_EVENT

TRIGGER_KEY = "score_threshold"


def threshold_choices() -> tuple[tuple[str, str], ...]:
    from modules.marketing.scoring.models import ScoreThreshold

    return tuple((str(threshold.pk), str(threshold)) for threshold in ScoreThreshold.objects.order_by("points", "id"))


def register() -> None:
    register_trigger(
        WorkflowTrigger(
            key=TRIGGER_KEY,
            label=_("Score reaches a threshold"),
            event=THRESHOLD_EVENT,
            entities=("contact", "lead"),
            option=threshold_choices,
            option_label=_("Threshold"),
        )
    )
