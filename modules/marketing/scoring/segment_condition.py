"""The segment condition "lead score at least / at most N" over the contact's ``Score``.

A contact without a score row has scored nothing yet, i.e. 0: "at most 10" includes it, "at least
5" does not. Scores change without a contact event (behaviour points, decay, a recalculation), so
``services.compute.recompute`` asks the segments app to re-evaluate, for the contacts it wrote, the
dynamic segments that use this condition (``segments.consumer.follow_condition``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from modules.marketing.scoring.models import Score
from modules.marketing.segments.conditions.registry import Param, register_condition

KEY = "lead_score"


def score_q(cleaned: Mapping[str, Any]) -> Q:
    points = int(cleaned["points"])
    scores = Score.objects.filter(contact_id=OuterRef("pk"))
    if cleaned["op"] == "lte":
        return ~Q(Exists(scores.filter(total__gt=points)))
    if points <= 0:  # no row is a score of 0, which reaches any threshold up to 0
        return ~Q(Exists(scores.filter(total__lt=points)))
    return Q(Exists(scores.filter(total__gte=points)))


def register() -> None:
    register_condition(
        KEY,
        score_q,
        label=gettext_lazy("Lead score"),
        ops=(("gte", gettext_lazy("is at least")), ("lte", gettext_lazy("is at most"))),
        params=(Param("points", gettext_lazy("points"), "count"),),
    )
