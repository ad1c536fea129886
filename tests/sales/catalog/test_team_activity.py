"""Team activity (under analytics): per rep activities, deal moves, won/lost, win rate and cycle length
over a range; the old address redirects; the analytics guard and sales.view_reports both apply."""

import datetime as dt
from decimal import Decimal

import pytest

from modules.sales.models import Deal, DealStageChange, Stage
from tests.entitlements.helpers import without_modules
from tests.factories import ActivityFactory, DealFactory
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke, with_session_of

RANGE = "?start=2030-03-01&end=2030-03-31"


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2030, month, day, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def data_set(alpha: TenantFixture, make_user: MakeUser) -> None:
    make_user("manager", "mia@example.test", full_name="Mia", teams=("Key accounts",))
    kim = make_user("sales_rep", "kim@example.test", full_name="Kim", teams=("Key accounts",))
    rita = alpha.user(REP_EMAIL)
    with alpha.active():
        stages = {stage.name: stage for stage in Stage.objects.all()}
        for assignee, kind, status, completed in [
            (rita, "call", "done", _at(3, 2)),
            (rita, "call", "done", _at(3, 30)),
            (rita, "meeting", "done", _at(3, 5)),
            (rita, "call", "done", _at(4, 1)),  # after the range
            (rita, "task", "open", None),
            (kim, "email", "done", _at(3, 7)),
        ]:
            ActivityFactory(assignee=assignee, kind=kind, status=status, completed_at=completed)
        first, second = DealFactory(owner=rita), DealFactory(owner=rita)
        for deal, by, from_stage, to_stage, when in [
            (first, rita, None, "Qualification", _at(3, 1)),  # creation, not a move
            (first, rita, "Qualification", "Proposal", _at(3, 3)),
            (first, rita, "Proposal", "Negotiation", _at(3, 9)),
            (second, rita, "Qualification", "Proposal", _at(3, 4)),
            (second, rita, "Proposal", "Negotiation", _at(2, 27)),  # before the range
            (second, kim, "Negotiation", "Proposal", _at(3, 20)),
        ]:
            DealStageChange.objects.create(
                deal=deal, changed_by=by, from_stage=stages.get(from_stage), to_stage=stages[to_stage], changed_at=when
            )
        for owner, status, created, closed in [
            (rita, "won", _at(2, 1), _at(3, 3)),  # 30 days
            (rita, "won", _at(3, 1), _at(3, 11)),  # 10 days
            (rita, "lost", _at(1, 1), _at(3, 12)),
            (rita, "won", _at(1, 1), _at(4, 2)),  # after the range
            (kim, "lost", _at(3, 1), _at(3, 2)),
        ]:
            deal = DealFactory(owner=owner, status=status, closed_at=closed, stage=stages[status.title()])
            Deal.objects.filter(pk=deal.pk).update(created_at=created)


def _rows(response) -> dict[str, tuple[object, ...]]:
    return {
        row.user.display_name: (
            row.activities["call"], row.activities["meeting"], row.activities["email"], row.activities_total,
            row.deals_moved, row.stage_moves, row.won, row.lost, row.win_rate, row.average_cycle_days,
        )
        for row in response.context["rows"]
    }  # fmt: skip


def test_each_reps_numbers_are_exact(alpha: TenantFixture, data_set):
    response = alpha.client().get(f"/analytics/team-activity/{RANGE}")

    assert response.status_code == 200
    assert _rows(response) == {
        "admin": (0, 0, 0, 0, 0, 0, 0, 0, None, None),
        "Kim": (0, 0, 1, 1, 1, 1, 0, 1, Decimal("0.0"), None),
        "Mia": (0, 0, 0, 0, 0, 0, 0, 0, None, None),
        "Rita Rep": (2, 1, 0, 3, 2, 3, 2, 1, Decimal("66.7"), Decimal("20.0")),
    }


def test_a_manager_sees_their_team(alpha: TenantFixture, data_set):
    response = alpha.client("mia@example.test").get(f"/analytics/team-activity/{RANGE}")

    assert list(_rows(response)) == ["Kim", "Mia"]


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_costs_the_same_queries_for_5_and_50_records(
    alpha: TenantFixture, django_assert_max_num_queries, count: int
):
    rita = alpha.user(REP_EMAIL)
    with alpha.active():
        ActivityFactory.create_batch(count, assignee=rita, kind="call", status="done", completed_at=_at(3, 2))
        DealFactory.create_batch(count, owner=rita, status="lost", closed_at=_at(3, 2))
    client = alpha.client()

    with django_assert_max_num_queries(9):
        response = client.get(f"/analytics/team-activity/{RANGE}")

    assert _rows(response)["Rita Rep"][3] == count


def test_reps_without_reports_permission_are_refused(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")

    response = alpha.client(REP_EMAIL).get("/analytics/team-activity/")

    assert response.status_code == 403
    assert "Sales: forecast and team activity" in response.content.decode()


def test_sales_disabled_refuses_team_activity_as_not_in_the_plan(alpha: TenantFixture, sales_disabled: None):
    assert alpha.client().get("/analytics/team-activity/").status_code == 403


def test_the_range_is_typed_and_shown_in_the_readers_date_format(alpha: TenantFixture):
    client = alpha.client()
    client.cookies["django_language"] = "ro"

    response = client.get("/analytics/team-activity/", {"start": "01.03.2030", "end": "2030-03-31"})

    html = response.content.decode()
    assert (response.context["start"], response.context["end"]) == (dt.date(2030, 3, 1), dt.date(2030, 3, 31))
    assert 'value="01.03.2030"' in html
    assert 'value="31.03.2030"' in html
    assert 'type="date"' not in html


def test_the_old_address_redirects_keeping_the_range(alpha: TenantFixture):
    response = alpha.client().get("/team-activity/?start=2030-03-01&end=2030-03-31")

    assert response.status_code == 301
    assert response["Location"] == "/analytics/team-activity/?start=2030-03-01&end=2030-03-31"


def test_without_analytics_in_the_plan_team_activity_is_not_in_plan(alpha: TenantFixture):
    without_modules(alpha, "analytics")

    response = alpha.client().get("/analytics/team-activity/")

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_reports_permission_without_analytics_is_refused(alpha: TenantFixture):
    grant(alpha, "sales_rep", "sales.view_reports")
    assert alpha.client(REP_EMAIL).get("/analytics/team-activity/").status_code == 403
    grant(alpha, "sales_rep", "analytics.view")
    assert alpha.client(REP_EMAIL).get("/analytics/team-activity/").status_code == 200
    revoke(alpha, "sales_rep", "sales.view_reports")
    assert alpha.client(REP_EMAIL).get("/analytics/team-activity/").status_code == 403


def test_another_tenants_session_and_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture, beta):
    assert with_session_of(alpha.client(), beta.host).get("/analytics/team-activity/").status_code == 302
    assert alpha.client(None).get("/analytics/team-activity/").status_code == 302


def test_the_filters_fold_on_a_phone(alpha: TenantFixture):
    page = alpha.client().get("/analytics/team-activity/").content.decode()

    assert 'data-bs-target="#team-activity-filters"' in page
    assert 'class="collapse d-md-block" id="team-activity-filters"' in page
