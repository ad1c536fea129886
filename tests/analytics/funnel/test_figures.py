"""Every figure of the funnel checked against the hand-built histories (tests.analytics.funnel.histories)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from identity.models import Team
from modules.analytics.funnel.selectors import funnel
from tests.analytics.funnel.histories import build
from tests.tenancy import REP_EMAIL, TenantFixture

DAY = 86400


def figures(result) -> dict[str, tuple]:
    return {
        row.stage.name.split()[-1]: (row.entered, row.moved_on, row.conversion, row.median_seconds, row.average_seconds)
        for row in result.stages
    }


def test_every_figure_of_the_funnel(alpha: TenantFixture):
    with alpha.active():
        admin = alpha.user()
        histories = build(dict.fromkeys("ABCDE", admin))

        result = funnel(admin, histories.pipeline, histories.start, histories.end)

    found = figures(result)
    # S1: A, B, C (twice) and D entered in the period (E before it); A, B and C moved on; time
    # in S1 of those that left: A 2 days, B 4, C 2 + 2.
    assert found["S1"][:3] == (4, 3, Decimal("75.0"))
    assert found["S1"][3:] == pytest.approx((4 * DAY, 10 / 3 * DAY))
    # S2: A, C and E (B skipped it); all moved on (C went back, then on to S3); A 3 days, C 1 + 1, E 2.
    assert found["S2"][:3] == (3, 3, Decimal("100.0"))
    assert found["S2"][3:] == pytest.approx((2 * DAY, 7 / 3 * DAY))
    # S3: A, B and C; only A moved on (won); A 4 days, B 6, C still there.
    assert found["S3"][:3] == (3, 1, Decimal("33.3"))
    assert found["S3"][3:] == pytest.approx((5 * DAY, 5 * DAY))
    # Won: A and E; Lost: B. No time in stage, no conversion out of a closing stage.
    assert found["Won"] == (2, 0, None, None, None)
    assert found["Lost"] == (1, 0, None, None, None)
    # Closed in the period: A and E won, B lost; cycles 9 and 13 days.
    assert (result.won, result.lost, result.win_rate) == (2, 1, Decimal("66.7"))
    assert result.average_cycle_seconds == pytest.approx(11 * DAY)
    assert result.median_cycle_seconds == pytest.approx(11 * DAY)
    assert (result.stages[0].median_days, result.stages[0].average_days) == (Decimal("4.0"), Decimal("3.3"))
    assert result.average_cycle_days == Decimal("11.0")


def test_a_shorter_period_counts_only_its_entries(alpha: TenantFixture):
    with alpha.active():
        admin = alpha.user()
        histories = build(dict.fromkeys("ABCDE", admin))

        # Days 0 and 1 only: S1 entered by A, B (d0) and C (d1); S2 by E (d1).
        result = funnel(admin, histories.pipeline, histories.start, histories.start + dt.timedelta(days=1))

    found = figures(result)
    assert found["S1"][:2] == (3, 3)
    assert found["S2"][:2] == (1, 1)
    assert found["S3"][0] == 0
    assert (result.won, result.lost) == (0, 0)
    assert result.win_rate is None
    assert result.average_cycle_seconds is None


def test_a_rep_counts_only_the_deals_the_rep_may_see(alpha: TenantFixture):
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        histories = build({"A": admin, "B": admin, "C": admin, "D": rep, "E": rep})

        as_rep = funnel(rep, histories.pipeline, histories.start, histories.end)
        as_admin = funnel(admin, histories.pipeline, histories.start, histories.end)

    assert figures(as_rep)["S1"][:2] == (1, 0)  # D
    assert figures(as_rep)["S2"][:2] == (1, 1)  # E
    assert (as_rep.won, as_rep.lost) == (1, 0)
    assert figures(as_admin)["S1"][:2] == (4, 3)


def test_the_owner_and_team_filters_narrow_the_deals(alpha: TenantFixture):
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        histories = build({"A": admin, "B": admin, "C": admin, "D": rep, "E": rep})
        team = Team.objects.create(name="Funnel team")
        team.members.add(rep)

        by_owner = funnel(admin, histories.pipeline, histories.start, histories.end, owner=admin)
        by_team = funnel(admin, histories.pipeline, histories.start, histories.end, team=team)

    assert figures(by_owner)["S1"][:2] == (3, 3)
    assert (by_owner.won, by_owner.lost) == (1, 1)
    assert figures(by_team)["S1"][:2] == (1, 0)
    assert figures(by_team)["Won"][0] == 1


def test_another_pipelines_deals_do_not_count(alpha: TenantFixture):
    with alpha.active():
        admin = alpha.user()
        histories = build(dict.fromkeys("ABCDE", admin))
        other = build(dict.fromkeys("ABCDE", admin), name="Other")

        result = funnel(admin, other.pipeline, histories.start, histories.end)

    assert figures(result)["S1"][:2] == (4, 3)
    assert [row.stage.pipeline_id for row in result.stages] == [other.pipeline.pk] * 5
