"""The score on the contact and lead lists: a column, a sort and filters (at least a threshold's
points, a grade), all reading the one ``Score`` row joined to each record
(``modules.lists.definition.register_list_extension``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.lists.definition import Column, Filter, ListExtension, register_list_extension
from modules.registry import is_enabled

GRADES = ("A", "B", "C", "D")


def _available(user: User) -> bool:
    return is_enabled(getattr(connection, "tenant", None), "marketing") and user.has_perm("marketing.view")


def card_visible(request: HttpRequest) -> bool:
    return is_enabled(getattr(request, "tenant", None), "marketing") and request.user.has_perm("marketing.view")


def _score(row: Any) -> str | None:
    score = getattr(row, "marketing_score", None)  # prefetched: a missing row costs no query
    if score is None:
        return None
    return f"{score.total} · {score.grade}" if score.grade else str(score.total)


def _threshold_options(user: User) -> Iterable[tuple[Any, Any]]:
    from modules.marketing.scoring.models import ScoreThreshold

    return [(t.points, str(t)) for t in ScoreThreshold.objects.order_by("points", "id")]


def _grade_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(grade, grade) for grade in GRADES]


def _apply(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    minimum = params.get("score_min", "")
    if minimum.lstrip("-").isdigit() and len(minimum) <= 9:
        queryset = queryset.filter(marketing_score__total__gte=int(minimum))
    # A score band's upper bound, from the dashboard's score distribution (no control of its own).
    maximum = params.get("score_max", "")
    if maximum.lstrip("-").isdigit() and len(maximum) <= 9:
        queryset = queryset.filter(marketing_score__total__lte=int(maximum))
    if params.get("grade") in GRADES:
        queryset = queryset.filter(marketing_score__grade=params["grade"])
    return queryset


def register() -> None:
    register_list_extension(
        ListExtension(
            key="marketing-score",
            list_keys=("contact", "lead"),
            available=_available,
            columns=(
                Column(
                    "score",
                    _("Score"),
                    value=_score,
                    sort="score",
                    numeric=True,
                    default=False,
                    prefetch="marketing_score",
                ),
            ),
            sorts={"score": "marketing_score__total"},
            filters=(
                Filter("score_min", _("Score"), options=_threshold_options, any_label=_("Any score")),
                Filter("grade", _("Grade"), options=_grade_options, any_label=_("Any grade")),
            ),
            apply_filters=_apply,
            hidden_filters=("score_max",),
        )
    )
