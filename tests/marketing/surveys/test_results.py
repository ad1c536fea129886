"""Results per question against figures computed by hand, in a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from modules.marketing.surveys.choices import QuestionKind, SurveyKind
from modules.marketing.surveys.results import nps_figures, survey_results
from modules.marketing.surveys.services.answers import submit
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import TenantFixture


class Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def test_nps_is_promoters_share_less_detractors_share() -> None:
    # 10 answers: 9,9,10,10,10 promoters (5), 7,8,8 passives (3), 0 and 5 detractors (2):
    # 50 % − 20 % = 30.
    figures = nps_figures({10: 3, 9: 2, 8: 2, 7: 1, 5: 1, 0: 1})
    assert (figures.promoters, figures.passives, figures.detractors, figures.total) == (5, 3, 2, 10)
    assert figures.score == 30.0
    assert (figures.promoter_share, figures.passive_share, figures.detractor_share) == (50.0, 30.0, 20.0)
    # 1 promoter, 2 detractors of 3: 33.3 % − 66.7 % = −33.3.
    assert nps_figures({9: 1, 6: 1, 3: 1}).score == -33.3
    assert nps_figures({}).score is None


def _answer(alpha: TenantFixture, survey: Any, *answers: Any) -> None:
    contact = ContactFactory()
    submit(personal_token(survey, contact), Form(fields(survey, *answers)))


def test_results_per_question(alpha: TenantFixture, django_assert_max_num_queries: Any) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        for score, plan, uses, text in (
            ("10", "Pro", ["Mail"], "More reports"), ("9", "Pro", ["Mail", "Deals"], None), ("8", "Basic", None, None),
            ("5", None, ["Cases"], "Slow search"), ("0", "Basic", ["Mail"], None),
        ):  # fmt: skip
            _answer(alpha, survey, score, plan, uses, text)
        with django_assert_max_num_queries(6):
            nps, plan, uses, improve = survey_results(survey)
        # 2 promoters, 1 passive, 2 detractors of 5: 40 % − 40 % = 0.
        assert nps.nps is not None
        assert (nps.nps.score, nps.answered) == (0.0, 5)
        assert [row["count"] for row in nps.distribution] == [1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1]
        assert nps.average == 6.4  # (10 + 9 + 8 + 5 + 0) / 5
        assert [(row["label"], row["count"], row["share"]) for row in plan.choices] == [
            ("Basic", 2, 50.0), ("Pro", 2, 50.0)
        ]  # fmt: skip
        assert [(row["label"], row["count"]) for row in uses.choices] == [("Mail", 3), ("Deals", 1), ("Cases", 1)]
        assert [answer.text for answer in improve.texts] == ["Slow search", "More reports"]


def test_csat_average_and_satisfied_share(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(
            alpha, kind=SurveyKind.CSAT, questions=[{"kind": QuestionKind.CSAT, "label": "Happy?", "required": True}]
        )
        for score in ("5", "4", "4", "2", "1"):
            _answer(alpha, survey, score)
        (csat,) = survey_results(survey)
    # (5 + 4 + 4 + 2 + 1) / 5 = 3.2; three of five answered 4 or 5.
    assert (csat.average, csat.satisfied_share, csat.nps) == (3.2, 60.0, None)
    assert [row["count"] for row in csat.distribution] == [1, 1, 0, 2, 1]


def test_the_results_page_costs_the_same_for_5_and_25_responses(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        for _index in range(5):
            _answer(alpha, survey, "9", "Pro", ["Mail"], "Fine")
    client = alpha.client()
    url = reverse("marketing-surveys:survey-detail", args=[survey.pk])
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    with alpha.active():
        for _index in range(20):
            _answer(alpha, survey, "3", "Basic", ["Deals", "Cases"], "Slow")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="nps-score">-60.0<' in page.content.decode()  # 5 promoters, 20 detractors of 25
