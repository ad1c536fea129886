"""Surveys and responses in REST (read only): questions and answers nested, filters, the
marketing scope, the link rule for contacts, and a query count that does not grow with the page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from identity.services.api_keys import create_api_key
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import REP_EMAIL, TenantFixture, grant


class Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def _client(alpha: TenantFixture, *scopes: str, email: str | None = None) -> Client:
    with alpha.active():
        user = alpha.user(email) if email else alpha.user()
        _key, plaintext = create_api_key(user=user, name="Surveys", scopes=list(scopes))
    return Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _answer(alpha: TenantFixture, survey: Any, count: int, **contact: Any) -> None:
    from modules.marketing.surveys.services.answers import submit

    with alpha.active():
        for _index in range(count):
            submit(personal_token(survey, ContactFactory(**contact)), Form(fields(survey, "9", "Pro", ["Mail"], "ok")))


def test_surveys_and_responses_read_with_their_questions_and_answers(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    _answer(alpha, survey, 2)
    client = _client(alpha, "marketing:read", "contacts:read")
    listed = client.get("/api/v1/surveys/").json()
    (item,) = [row for row in listed["results"] if row["id"] == survey.pk]
    assert [question["kind"] for question in item["questions"]] == ["nps", "single", "multiple", "long_text"]
    responses = client.get(f"/api/v1/survey-responses/?survey={survey.pk}")
    assert responses.status_code == 200
    rows = responses.json()["results"]
    assert [(row["score"], row["category"], len(row["answers"])) for row in rows] == [(9, "promoter", 4)] * 2
    assert all(row["contact"] is not None for row in rows)
    # A key without the contacts scope reads the answers but not who gave them (the link rule).
    marketing_only = _client(alpha, "marketing:read").get(f"/api/v1/survey-responses/?survey={survey.pk}").json()
    assert [row["contact"] for row in marketing_only["results"]] == [None, None]
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/survey-responses/")
    _answer(alpha, survey, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/survey-responses/").json()["results"]) == 10
    assert client.get("/api/v1/survey-responses/?submitted_after=99999-01-01T00:00:00Z").status_code == 400
    assert client.get("/api/v1/survey-responses/?survey=abc").status_code == 400


def test_the_scope_and_permission_are_needed(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    _answer(alpha, survey, 1, owner=None)
    assert _client(alpha, "contacts:read").get("/api/v1/surveys/").status_code == 403
    assert _client(alpha, "marketing:read", email=REP_EMAIL).get("/api/v1/surveys/").status_code == 403
    assert _client(alpha, "marketing:read").post("/api/v1/surveys/", {}).status_code in (403, 405)
    grant(alpha, "sales_rep", "marketing.view")
    rep = _client(alpha, "marketing:read", email=REP_EMAIL)
    (row,) = rep.get("/api/v1/survey-responses/").json()["results"]
    assert row["contact"] is None  # a contact the rep's role does not show is not named
