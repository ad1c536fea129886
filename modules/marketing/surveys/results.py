"""Results of a survey, computed in SQL: per question the distribution of the scales (with the NPS
and the CSAT figures), the counts of each choice, and the text answers a page at a time. A page of
results costs a fixed number of queries whatever the number of responses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from modules.marketing.surveys.choices import CHOICE_KINDS, SCALES, QuestionKind
from modules.marketing.surveys.models import Answer, Question, Response, Survey

TEXT_PREVIEW = 5


@dataclass(frozen=True)
class NpsFigures:
    """NPS = % promoters (9–10) − % detractors (0–6), from -100 to 100; None without answers."""

    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        if not self.total:
            return None
        return round(100 * (self.promoters - self.detractors) / self.total, 1)

    def share(self, part: int) -> float:
        return round(100 * part / self.total, 1) if self.total else 0.0

    @property
    def promoter_share(self) -> float:
        return self.share(self.promoters)

    @property
    def passive_share(self) -> float:
        return self.share(self.passives)

    @property
    def detractor_share(self) -> float:
        return self.share(self.detractors)


def nps_figures(distribution: Mapping[int, int]) -> NpsFigures:
    """The NPS of a distribution of 0–10 answers (score → how many)."""
    return NpsFigures(
        promoters=sum(n for score, n in distribution.items() if score >= 9),
        passives=sum(n for score, n in distribution.items() if 7 <= score <= 8),
        detractors=sum(n for score, n in distribution.items() if score <= 6),
    )


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    # The scales: every value of the scale in order, with how many chose it and its share.
    distribution: list[dict[str, Any]] = field(default_factory=list)
    average: float | None = None
    nps: NpsFigures | None = None
    satisfied_share: float | None = None  # CSAT: the share of 4 and 5 answers
    choices: list[dict[str, Any]] = field(default_factory=list)
    texts: list[Answer] = field(default_factory=list)


def _scale_counts(question_ids: list[int]) -> dict[int, dict[int, int]]:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(question_id__in=question_ids, number__isnull=False)
        .values_list("question_id", "number")
        .annotate(n=Count("id"))
        .order_by()
    )
    for question_id, number, n in rows:
        counts[question_id][number] = n
    return counts


def _choice_counts(question_ids: list[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if not question_ids:
        return counts
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.question_id, choice, COUNT(*) FROM {table} a, jsonb_array_elements_text(a.choices) AS choice"  # noqa: S608 - the model's own table name
            " WHERE a.question_id = ANY(%s) GROUP BY 1, 2",
            [question_ids],
        )
        for question_id, choice, n in cursor.fetchall():
            counts[question_id][choice] = n
    return counts


def _answered_counts(question_ids: list[int]) -> dict[int, int]:
    rows = Answer.objects.filter(question_id__in=question_ids).values_list("question_id").annotate(n=Count("id"))
    return dict(rows.order_by())


def text_answers(question: Question) -> QuerySet[Answer]:
    """A text question's answers, newest first, with their response and contact."""
    return (
        Answer.objects.filter(question=question)
        .exclude(text="")
        .select_related("response__contact")
        .order_by("-response__submitted_at", "-id")
    )


def survey_results(survey: Survey) -> list[QuestionResult]:
    """Every question's result, in the survey's order (five queries, plus one per text question)."""
    questions = list(survey.questions.order_by("position", "id"))
    ids = [question.pk for question in questions]
    scales = _scale_counts([q.pk for q in questions if q.kind in SCALES])
    choices = _choice_counts([q.pk for q in questions if q.kind in CHOICE_KINDS])
    answered = _answered_counts(ids)
    results = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.pk, 0))
        if question.kind in SCALES:
            counts = scales.get(question.pk, {})
            low, high = SCALES[QuestionKind(question.kind)]
            total = sum(counts.values())
            result.distribution = [
                {"value": value, "count": counts.get(value, 0),
                 "share": round(100 * counts.get(value, 0) / total, 1) if total else 0.0}
                for value in range(low, high + 1)
            ]  # fmt: skip
            if total:
                result.average = round(sum(value * n for value, n in counts.items()) / total, 2)
            if question.kind == QuestionKind.NPS:
                result.nps = nps_figures(counts)
            elif total:
                result.satisfied_share = round(100 * sum(n for value, n in counts.items() if value >= 4) / total, 1)
        elif question.kind in CHOICE_KINDS:
            counts_by_choice = choices.get(question.pk, {})
            answered_here = result.answered
            result.choices = [
                {"label": choice, "count": counts_by_choice.get(choice, 0),
                 "share": round(100 * counts_by_choice.get(choice, 0) / answered_here, 1) if answered_here else 0.0}
                for choice in question.choices
            ]  # fmt: skip
        else:
            result.texts = list(text_answers(question)[:TEXT_PREVIEW])
        results.append(result)
    return results


def survey_counts(survey: Survey) -> dict[str, int]:
    """Invitations sent, opened and answered, and responses (two queries)."""
    invitations = survey.invitations.aggregate(
        invited=Count("id"),
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
    )
    return {**invitations, "responses": Response.objects.filter(survey=survey).count()}
