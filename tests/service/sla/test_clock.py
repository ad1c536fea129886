"""The SLA clock of a case: due times in business hours, pauses, met targets, reopening, the policy
chosen by priority and customer tier, and recalculation when a calendar or a policy changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity.models import Team
from modules.service.choices import MessageAuthor, StatusCategory
from modules.service.models import Case
from modules.service.services.cases import add_message, update_case
from modules.service.services.statuses import status_for
from modules.service.sla.business_time import business_time_between
from modules.service.sla.models import CaseClock
from modules.service.sla.selectors import breaching_soon
from modules.service.sla.services.calendars import add_holiday, save_calendar, schedule_of
from modules.service.sla.services.policies import save_policy
from modules.service.sla.services.recalculation import recalculate_batch
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.service.sla.helpers import office_calendar, standard_policy
from tests.tenancy import TenantFixture

BERLIN = ZoneInfo("Europe/Berlin")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


def clock_of(alpha: TenantFixture, case_pk: int) -> CaseClock:
    with alpha.active():
        return CaseClock.objects.get(case_id=case_pk)


def test_a_case_opened_on_friday_afternoon_is_due_in_business_hours(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=8 * 60)
    with time_machine.travel(at(2025, 3, 28, 16, 30), tick=False):
        case = make_case(alpha)
    clock = clock_of(alpha, case.pk)
    assert clock.policy_id is not None
    # 30 minutes on Friday, 30 on Monday morning (the weekend and the DST change in between).
    assert clock.first_response_due_at == at(2025, 3, 31, 9, 30)
    assert clock.resolution_due_at == at(2025, 4, 1, 9, 30)
    # Warning at 80 %: 48 minutes of business time.
    assert clock.first_response_warn_at == at(2025, 3, 31, 9, 18)
    assert clock.next_check_at == clock.first_response_warn_at


def test_no_policy_or_no_calendar_means_no_clock_times(alpha: TenantFixture) -> None:
    with alpha.active():
        standard_policy()
    case = make_case(alpha)
    clock = clock_of(alpha, case.pk)
    assert clock.policy_id is not None
    assert clock.calendar_id is None
    assert clock.first_response_due_at is None
    assert clock.next_check_at is None


def test_waiting_on_the_customer_pauses_and_moves_the_due_times(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=None, resolution=4 * 60)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):  # a Monday
        case = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 10, 0), tick=False), alpha.active():
        update_case(case, by=None, status=status_for(StatusCategory.PENDING))
    clock = clock_of(alpha, case.pk)
    assert clock.is_paused
    assert clock.next_check_at is None
    # The customer answers on Tuesday at 10:00: a day of business hours (7 h) was paused.
    with time_machine.travel(at(2025, 6, 3, 10, 0), tick=False), alpha.active():
        add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="Here is the log.")
    clock = clock_of(alpha, case.pk)
    assert not clock.is_paused
    assert clock.paused_seconds == 7 * 3600
    assert clock.resolution_due_at == at(2025, 6, 3, 14, 0)  # 09:00 + 4 h + 7 h paused, lunch skipped


def test_first_response_met_by_the_agents_reply_and_resolution_met_at_solved(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy()
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 9, 20), tick=False), alpha.active():
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Looking into it.")
    clock = clock_of(alpha, case.pk)
    assert clock.first_response_met_at == at(2025, 6, 2, 9, 20)
    assert clock.first_response_breached_at is None
    assert clock.next_check_at == clock.resolution_warn_at
    with time_machine.travel(at(2025, 6, 2, 11, 0), tick=False), alpha.active():
        update_case(case, by=None, status=status_for(StatusCategory.SOLVED))
    clock = clock_of(alpha, case.pk)
    assert clock.resolution_met_at == at(2025, 6, 2, 11, 0)
    assert clock.next_check_at is None
    # Reopened on Wednesday: the time solved does not count, the clock runs on.
    with time_machine.travel(at(2025, 6, 4, 9, 0), tick=False), alpha.active():
        update_case(case, by=None, status=status_for(StatusCategory.OPEN))
    clock = clock_of(alpha, case.pk)
    assert clock.resolution_met_at is None
    assert clock.resolution_due_at == at(2025, 6, 4, 16, 0)  # 2 h worked Monday, 6 h to go
    assert clock.next_check_at is not None


def test_a_late_first_response_is_a_breach_announced_once(alpha: TenantFixture) -> None:
    from customization.events.models import DomainEvent

    with alpha.active():
        office_calendar()
        standard_policy(first_response=30)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 9, 45), tick=False), alpha.active():
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Sorry for the wait.")
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="And again.")
    clock = clock_of(alpha, case.pk)
    assert clock.first_response_met_at is None
    assert clock.first_response_breached_at == at(2025, 6, 2, 9, 30)
    with alpha.active():
        events = DomainEvent.objects.filter(type="case.sla_breached", record_id=case.pk)
        assert [event.data["target"] for event in events] == ["first_response"]


def test_the_first_matching_policy_applies_by_priority_and_customer_tier(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        gold = save_policy(
            None, name="Gold urgent", position=1, priorities=["urgent"], tier_field="tier", tier_values=["gold"],
            targets={"urgent": (15, 120)},
        )  # fmt: skip
        fallback = standard_policy(position=2)
        gold_company = CompanyFactory(custom={"tier": "gold"})
        silver_company = CompanyFactory(custom={"tier": "silver"})
        gold_contact = ContactFactory(company=gold_company)
        silver_contact = ContactFactory(company=silver_company)
    urgent_gold = make_case(alpha, contact=gold_contact, priority="urgent")
    normal_gold = make_case(alpha, contact=gold_contact, priority="normal")
    urgent_silver = make_case(alpha, contact=silver_contact, priority="urgent")
    assert clock_of(alpha, urgent_gold.pk).policy_id == gold.pk
    assert clock_of(alpha, normal_gold.pk).policy_id == fallback.pk
    assert clock_of(alpha, urgent_silver.pk).policy_id == fallback.pk
    # Raising the priority moves the case under the gold policy.
    with alpha.active():
        update_case(normal_gold, by=None, priority="urgent")
    assert clock_of(alpha, normal_gold.pk).policy_id == gold.pk


def test_a_queue_with_its_own_calendar_counts_its_hours(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        team = Team.objects.create(name="Night desk")
        save_calendar(
            None, name="Night desk", time_zone="Europe/Berlin", team=team,
            intervals=[(day, 20 * 60, 24 * 60) for day in range(7)],
        )  # fmt: skip
        standard_policy(first_response=60)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha, team=team)
    assert clock_of(alpha, case.pk).first_response_due_at == at(2025, 6, 2, 21, 0)


def test_open_clocks_are_recalculated_when_the_calendar_changes(alpha: TenantFixture) -> None:
    with alpha.active():
        calendar = office_calendar()
        standard_policy(first_response=60)
    with time_machine.travel(at(2025, 6, 2, 16, 30), tick=False):
        case = make_case(alpha)
    assert clock_of(alpha, case.pk).first_response_due_at == at(2025, 6, 3, 9, 30)
    with time_machine.travel(at(2025, 6, 2, 16, 40), tick=False), alpha.active():
        add_holiday(calendar, day=at(2025, 6, 3, 0, 0).date(), name="Company day")
        recalculate_batch(after=0, now=at(2025, 6, 2, 16, 40))
    assert clock_of(alpha, case.pk).first_response_due_at == at(2025, 6, 4, 9, 30)
    with alpha.active():
        save_calendar(calendar, name=calendar.name, time_zone="Europe/Berlin", is_default=True,
                      intervals=[(day, 7 * 60, 19 * 60) for day in range(5)])  # fmt: skip
        recalculate_batch(after=0, now=at(2025, 6, 2, 16, 40))
    assert clock_of(alpha, case.pk).first_response_due_at == at(2025, 6, 2, 17, 30)


def test_recalculation_runs_in_batches(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy()
    cases = [make_case(alpha) for _n in range(3)]
    with alpha.active():
        CaseClock.objects.all().delete()
        assert recalculate_batch(after=0, now=at(2025, 6, 2, 10, 0), size=2) == (2, cases[1].pk)
        assert recalculate_batch(after=cases[1].pk, now=at(2025, 6, 2, 10, 0), size=2) == (1, None)
        assert CaseClock.objects.count() == 3


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    opened=st.integers(min_value=0, max_value=14 * 24 * 60),
    pauses=st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 3000)), max_size=3),
    target=st.integers(min_value=1, max_value=3 * 8 * 60),
)
def test_paused_business_time_moves_the_due_time_by_exactly_that(
    alpha: TenantFixture, opened: int, pauses: list[tuple[int, int]], target: int
) -> None:
    """Across the Berlin spring change: whatever the pauses, the business time from the start to
    the due time, less the paused business time, is the target."""
    with alpha.active():
        calendar = office_calendar(name=f"Office {opened} {target} {len(pauses)}", is_default=False)
        policy = standard_policy(name=f"Policy {opened} {target} {len(pauses)}", first_response=None, resolution=target)
        team = Team.objects.create(name=f"Queue {opened} {target} {len(pauses)}")
        calendar.team = team
        calendar.save()
    moment = at(2025, 3, 24, 0, 0) + timedelta(minutes=opened)
    with time_machine.travel(moment, tick=False):
        case = make_case(alpha, team=team)
    for running, waiting in pauses:
        moment += timedelta(minutes=running)
        with time_machine.travel(moment, tick=False), alpha.active():
            update_case(case, by=None, status=status_for(StatusCategory.PENDING))
        moment += timedelta(minutes=waiting)
        with time_machine.travel(moment, tick=False), alpha.active():
            update_case(case, by=None, status=status_for(StatusCategory.OPEN))
    with alpha.active():
        clock = CaseClock.objects.get(case_id=case.pk)
        schedule = schedule_of(calendar)
        assert clock.policy_id == policy.pk
        assert clock.resolution_due_at is not None
        worked = business_time_between(schedule, clock.started_at, clock.resolution_due_at)
        assert worked - timedelta(seconds=clock.paused_seconds) == timedelta(minutes=target)
        policy.delete()
        calendar.delete()
        team.delete()


def test_bad_calendar_input_names_the_field(alpha: TenantFixture) -> None:
    with alpha.active():
        cases = [
            ({"name": "Bad\x00name"}, "name"),
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"intervals": [(0, 540, 720), (0, 700, 800)]}, "intervals"),
            ({"intervals": [(0, 1200, 1500)]}, "intervals"),
            ({"intervals": []}, "intervals"),
            ({"country": "XX"}, "country"),
            ({"country": "DE", "subdivision": "ZZ"}, "subdivision"),
        ]
        for values, field in cases:
            with pytest.raises(ValidationError) as refused:
                office_calendar(**values)
            assert field in refused.value.message_dict, values


def test_bad_policy_input_names_the_field(alpha: TenantFixture) -> None:
    with alpha.active():
        cases = [
            ({"name": "x" * 81, "targets": {"normal": (60, None)}}, "name"),
            ({"name": "Huge", "targets": {"normal": (10**12, None)}}, "targets.normal.first_response"),
            ({"name": "None", "targets": {"normal": (None, None)}}, "targets"),
            ({"name": "Tier", "targets": {"normal": (60, None)}, "tier_field": "tier"}, "tier_values"),
            ({"name": "Nul", "targets": {"normal": (60, None)}, "tier_field": "t", "tier_values": ["a\x00"]},
             "tier_values"),
            ({"name": "Pct", "targets": {"normal": (60, None)}, "warning_percent": 100}, "warning_percent"),
            ({"name": "Prio", "targets": {"normal": (60, None)}, "priorities": ["soon"]}, "priorities"),
        ]  # fmt: skip
        for values, field in cases:
            with pytest.raises(ValidationError) as refused:
                save_policy(None, **values)
            assert field in refused.value.message_dict, values


def test_breaching_soon_narrows_a_case_list_to_running_clocks_due_within_the_window(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=8 * 60)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        soon = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 9, 50), tick=False):
        later = make_case(alpha)
        answered = make_case(alpha)
        waiting = make_case(alpha)
        with alpha.active():
            add_message(answered, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Hi")
            update_case(waiting, by=None, status=status_for(StatusCategory.PENDING))
    with alpha.active():
        found = breaching_soon(Case.objects.all(), timedelta(minutes=15), now=at(2025, 6, 2, 9, 50))
        assert list(found) == [soon]
        found = breaching_soon(Case.objects.all(), timedelta(hours=1), now=at(2025, 6, 2, 9, 50))
        assert list(found) == [soon, later]
