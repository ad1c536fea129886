"""CSAT: the survey e-mailed when a case is solved, its public page (valid, used, expired, forged,
another workspace's link), the case page's panel, and the figures per agent, per queue and on a
dashboard."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from identity.models import AuditEntry, Team
from identity.services.api_keys import create_api_key
from modules.analytics.dashboards.widgets import DashboardFilters, widget_named
from modules.service.choices import StatusCategory
from modules.service.contact_centre.models import CsatSurvey
from modules.service.contact_centre.selectors import answered, csat_by_agent, csat_by_queue
from modules.service.contact_centre.services.csat import csat_enabled
from modules.service.services.cases import update_case
from modules.service.services.statuses import status_for
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def _solve(alpha: TenantFixture, case: Any, capture: Any) -> None:
    with alpha.active(), capture(execute=True):
        update_case(case, by=alpha.user(), status=status_for(StatusCategory.SOLVED))


@pytest.fixture
def survey_link(alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks: Any) -> tuple[Any, str]:
    with alpha.active():
        case = make_case(alpha, contact=ContactFactory(email="sam@example.test"), owner=alpha.user())
    _solve(alpha, case, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["sam@example.test"]
    assert case.number in message.subject
    link = re.search(r"https?://[^/\s]+(/csat/[^\s]+/)", message.body)
    assert link is not None
    return case, link.group(1)


def test_solving_a_case_asks_its_customer_once(survey_link: tuple[Any, str], alpha: TenantFixture):
    case, _path = survey_link
    with alpha.active():
        survey = CsatSurvey.objects.get()
        assert (survey.case_id, survey.agent_id, survey.rating, survey.sent_at is not None) == (
            case.pk, alpha.user().pk, None, True,
        )  # fmt: skip
        update_case(case, by=alpha.user(), subject="Still solved")
        assert CsatSurvey.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_customer_answers_once_without_signing_in(survey_link: tuple[Any, str], alpha: TenantFixture):
    case, path = survey_link
    client = alpha.client(None)
    page = client.get(path)
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    answer = client.post(path, {"rating": "5", "comment": "Quick and kind"})
    assert answer.status_code == 200
    again = client.get(path)
    twice = client.post(path, {"rating": "1"})
    assert (again.status_code, twice.status_code) == (410, 410)
    assert "already been answered" in again.content.decode()
    with alpha.active():
        survey = CsatSurvey.objects.get()
        assert (survey.rating, survey.comment) == (5, "Quick and kind")
    panel = alpha.client().get(reverse("service:case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-csat-panel"' in panel
    assert "Quick and kind" in panel


def test_bad_answers_name_the_field_and_store_nothing(survey_link: tuple[Any, str], alpha: TenantFixture):
    _case, path = survey_link
    client = alpha.client(None)
    for data, field in (
        ({"rating": "9"}, "rating"),
        ({}, "rating"),
        ({"rating": "4", "comment": "x" * 2001}, "comment"),
    ):
        response = client.post(path, data)
        assert response.status_code == 400, data
        assert set(response.context["form"].errors) == {field}, data
    nul = client.post(path, {"rating": "4", "comment": "a\x00b"})
    assert nul.status_code == 400
    with alpha.active():
        assert CsatSurvey.objects.get().answered_at is None


def test_an_expired_link_says_so(survey_link: tuple[Any, str], alpha: TenantFixture):
    _case, path = survey_link
    with alpha.active():
        CsatSurvey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = alpha.client(None).post(path, {"rating": "5"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    with alpha.active():
        assert CsatSurvey.objects.get().answered_at is None


def test_forged_and_other_workspaces_links_find_nothing(
    survey_link: tuple[Any, str], alpha: TenantFixture, beta: TenantFixture
):
    _case, path = survey_link
    token = path.split("/")[2]
    raw, signature = token.rsplit(":", 1)
    forged = f"/csat/{raw[:-1]}{'A' if raw[-1] != 'A' else 'B'}:{signature}/"
    assert alpha.client(None).get(forged).status_code == 404
    assert alpha.client(None).get("/csat/not-a-token/").status_code == 404
    assert beta.client(None).get(path).status_code == 404
    assert beta.client(None).post(path, {"rating": "1"}).status_code == 404
    connection.set_schema_to_public()  # the requests to beta's host left its schema set
    without_modules(alpha, "service")
    assert alpha.client(None).get(path).status_code == 404
    with alpha.active():
        assert CsatSurvey.objects.get().answered_at is None


def test_the_page_is_rate_limited(survey_link: tuple[Any, str], alpha: TenantFixture):
    client = alpha.client(None)
    answers = [client.get("/csat/guess/").status_code for _ in range(31)]
    assert answers[:30] == [404] * 30
    assert answers[30] == 429


def test_csat_per_agent_and_per_queue_over_a_period(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        now = timezone.now()
        for agent, rating, days_ago in ((admin, 5, 1), (admin, 2, 1), (rep, 4, 1), (rep, 1, 40)):
            case = make_case(alpha, owner=agent, team=team)
            CsatSurvey.objects.create(
                case=case, agent=agent, team=team, email="c@example.test", token_hash=f"{case.pk}-{rating}",
                expires_at=now, rating=rating, answered_at=now - timedelta(days=days_ago),
            )  # fmt: skip
        start, end = (now - timedelta(days=7)).date(), now.date()
        by_agent = {row.key: (row.answers, row.score, row.average) for row in csat_by_agent(start, end)}
        (queue,) = csat_by_queue(start, end)
        assert by_agent == {admin.pk: (2, 50.0, 3.5), rep.pk: (1, 100.0, 4.0)}
        assert (queue.key, queue.answers, queue.satisfied) == (team.pk, 3, 2)
        assert answered(None, None).count() == 4
        widget = widget_named("csat")
        assert widget is not None
        data = widget.compute(admin, DashboardFilters(start=start, end=end))
        assert (data.value, data.unit) == (66.7, "%")
        only_rep = widget.compute(admin, DashboardFilters(start=start, end=end, owner_ids=frozenset({rep.pk})))
        assert only_rep.value == 100.0


def test_agent_monitoring_shows_csat_per_agent_and_queue(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        admin = alpha.user()
        now = timezone.now()
        for rating in (5, 2):
            case = make_case(alpha, owner=admin, team=team)
            CsatSurvey.objects.create(
                case=case, agent=admin, team=team, email="c@example.test", token_hash=f"m-{case.pk}",
                expires_at=now, rating=rating, answered_at=now - timedelta(hours=1),
            )  # fmt: skip
    page = alpha.client().get(reverse("service-desk:monitoring"))
    assert page.status_code == 200
    cells = re.findall(r'data-testid="csat">([^<]*)<', page.content.decode())
    assert cells == ["50.0 %", "50.0 %", "50.0 %", "50.0 %"]  # the agent, their total, the queue, its total


def test_a_workspace_that_switched_csat_off_asks_nobody(
    alpha: TenantFixture, beta: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks: Any
):
    url = reverse("contact-centre:csat-settings")
    grant(alpha, "sales_rep", "service.view", "service.change")
    refused = [alpha.client(REP_EMAIL).post(url, {"enabled": "0"}).status_code]
    with alpha.active():
        _key, plaintext = create_api_key(user=alpha.user(), name="Pages", scopes=["service:write"])
    refused.append(alpha.client(None, HTTP_AUTHORIZATION=f"Bearer {plaintext}").post(url, {"enabled": "0"}).status_code)
    assert all(status in (302, 401, 403) for status in refused)
    assert alpha.client().post(url, {"enabled": "maybe"}).status_code == 400
    assert beta.client().post(url, {"enabled": "0"}).status_code == 302  # beta's own switch, not alpha's
    connection.set_schema_to_public()
    with alpha.active():
        assert csat_enabled()
    switched = alpha.client().post(url, {"enabled": "0"})
    assert switched.status_code == 302
    assert "Stop asking" not in alpha.client().get(reverse("contact-centre:settings")).content.decode()

    with alpha.active():
        case = make_case(alpha, contact=ContactFactory(email="sam@example.test"), owner=alpha.user())
    _solve(alpha, case, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    with alpha.active():
        assert not CsatSurvey.objects.exists()
        assert AuditEntry.objects.filter(action="csat.switched_off").count() == 1
    alpha.client().post(url, {"enabled": "1"})
    with alpha.active():
        assert csat_enabled()


def test_the_csat_e_mail_is_in_the_customers_language(
    alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        case = make_case(alpha, contact=ContactFactory(email="zoe@example.test"), owner=alpha.user(), language="fr")
    with translation.override("en"):
        _solve(alpha, case, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == f"Votre avis nous intéresse : votre demande {case.number}"
