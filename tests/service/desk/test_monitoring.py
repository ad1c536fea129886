"""Agent monitoring: workload, new and solved counts, median and average first response and
resolution times per agent and per queue, with team totals, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.service.choices import StatusCategory
from modules.service.desk.selectors.monitoring import agent_monitoring
from modules.service.models import Case
from modules.service.services.cases import update_case
from modules.service.services.statuses import status_for
from tests.service.conftest import make_case
from tests.service.desk.conftest import make_agents
from tests.tenancy import REP_EMAIL, TenantFixture


def _backdate(case: Case, *, created: timedelta, responded: timedelta | None = None, solved: timedelta | None = None):
    """Set the case's times relative to now (created ``created`` ago, answered and solved after that)."""
    now = timezone.now()
    values = {"created_at": now - created}
    if responded is not None:
        values["first_response_at"] = now - created + responded
    if solved is not None:
        values["solved_at"] = now - created + solved
    Case.objects.filter(pk=case.pk).update(**values)


def test_times_and_counts_per_agent_queue_and_team(alpha: TenantFixture) -> None:
    team, (ann, bob) = make_agents(alpha, "Monitoring desk", 2)
    a1 = make_case(alpha, team=team, owner=ann)
    a2 = make_case(alpha, team=team, owner=ann)
    a3 = make_case(alpha, team=team, owner=ann)
    b1 = make_case(alpha, team=team, owner=bob)
    with alpha.active():
        for case in (a1, a2, b1):
            update_case(case, by=None, status=status_for(StatusCategory.SOLVED))
        _backdate(a1, created=timedelta(days=3), responded=timedelta(hours=1), solved=timedelta(hours=10))
        _backdate(a2, created=timedelta(days=2), responded=timedelta(hours=3), solved=timedelta(hours=20))
        _backdate(a3, created=timedelta(days=1), responded=timedelta(hours=8))
        _backdate(b1, created=timedelta(days=40), responded=timedelta(hours=2), solved=timedelta(days=39, hours=12))
        now = timezone.now()

        report = agent_monitoring(start=now - timedelta(days=30), end=now + timedelta(minutes=1),
                                  cases=Case.objects.filter(team=team))  # fmt: skip

    agents = {row.key: row for row in report.agents}
    assert (agents[ann.pk].open, agents[ann.pk].new, agents[ann.pk].solved) == (1, 3, 2)
    assert agents[ann.pk].first_response_median == timedelta(hours=3)
    assert agents[ann.pk].first_response_average == timedelta(hours=4)
    assert agents[ann.pk].resolution_median == timedelta(hours=15)
    assert agents[ann.pk].resolution_average == timedelta(hours=15)
    # Bob's case was created and answered before the period and solved in it.
    assert (agents[bob.pk].open, agents[bob.pk].new, agents[bob.pk].solved) == (0, 0, 1)
    assert agents[bob.pk].first_response_median is None
    assert agents[bob.pk].resolution_median == timedelta(days=39, hours=12)
    assert [row.key for row in report.queues] == [team.pk]
    assert report.total is not None
    assert (report.total.open, report.total.new, report.total.solved) == (1, 3, 3)
    assert report.total.first_response_median == timedelta(hours=3)


def test_the_page_costs_the_same_queries_for_few_and_many_agents(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Counted desk", 2)
    for agent in agents:
        make_case(alpha, team=team, owner=agent)
    client = alpha.client()
    client.get("/service/desk/monitoring/")  # warm the session and the role
    with CaptureQueriesContext(connection) as few:
        first = client.get("/service/desk/monitoring/")
    more_team, more = make_agents(alpha, "Counted desk two", 12, prefix="more")
    for agent in more:
        make_case(alpha, team=more_team, owner=agent)
    with CaptureQueriesContext(connection) as many:
        second = client.get("/service/desk/monitoring/")

    assert first.status_code == second.status_code == 200
    assert len(second.context["report"].agents) >= len(first.context["report"].agents) + 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_page_needs_the_reports_permission_and_checks_the_period(alpha: TenantFixture) -> None:
    rep = alpha.client(REP_EMAIL).get("/service/desk/monitoring/")
    client = alpha.client()
    backwards = client.get("/service/desk/monitoring/", {"start": "2030-02-01", "end": "2030-01-01"})
    huge = client.get("/service/desk/monitoring/", {"start": "2000-01-01", "end": "9999-12-31"})
    garbage = client.get("/service/desk/monitoring/", {"start": "\x00"})

    assert rep.status_code == 403
    assert (backwards.status_code, list(backwards.context["form"].errors)) == (400, ["end"])
    assert (huge.status_code, list(huge.context["form"].errors)) == (400, ["end"])
    assert (garbage.status_code, list(garbage.context["form"].errors)) == (400, ["start"])
