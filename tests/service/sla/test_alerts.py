"""SLA warnings and breaches with a frozen clock: announced in business time only (never at night
or on the weekend), exactly once, as outbox events and notifications to the agent or the queue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from customization.events.models import DomainEvent
from identity.models import Team
from modules.activities.choices import NotificationKind
from modules.activities.models import Notification
from modules.service.choices import MessageAuthor, StatusCategory
from modules.service.services.cases import add_message, update_case
from modules.service.services.statuses import status_for
from modules.service.sla.models import CaseClock
from modules.service.sla.services.alerts import announce_due
from modules.service.sla.tasks import announce_sla_due, sweep_sla_clocks
from tests.service.conftest import make_case
from tests.service.sla.helpers import office_calendar, standard_policy
from tests.tenancy import REP_EMAIL, TenantFixture

BERLIN = ZoneInfo("Europe/Berlin")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


def sla_events(case_pk: int) -> list[tuple[str, str]]:
    return [
        (event.type, event.data["target"])
        for event in DomainEvent.objects.filter(type__startswith="case.sla_", record_id=case_pk).order_by("pk")
    ]


def test_no_warning_at_night_or_on_the_weekend_then_one_on_monday_morning(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
        rep = alpha.user(REP_EMAIL)
    with time_machine.travel(at(2025, 6, 6, 16, 50), tick=False):  # Friday, 10 minutes before closing
        case = make_case(alpha, owner=rep)
    for night in (at(2025, 6, 6, 23, 0), at(2025, 6, 7, 12, 0), at(2025, 6, 8, 20, 0), at(2025, 6, 9, 8, 59)):
        with alpha.active():
            assert announce_due(now=night) == 0
            assert sla_events(case.pk) == []
    # 48 minutes (80 % of 60): 10 on Friday, 38 on Monday.
    with alpha.active():
        assert CaseClock.objects.get(case_id=case.pk).first_response_warn_at == at(2025, 6, 9, 9, 38)
        assert announce_due(now=at(2025, 6, 9, 9, 37)) == 0
        assert announce_due(now=at(2025, 6, 9, 9, 38)) == 1
        assert announce_due(now=at(2025, 6, 9, 9, 45)) == 0  # exactly once
        assert sla_events(case.pk) == [("case.sla_warning", "first_response")]
        notices = Notification.objects.filter(kind=NotificationKind.SLA, entity="case", record_id=case.pk)
        assert [notice.recipient_id for notice in notices] == [rep.pk]
        assert case.number in notices[0].title
        # The breach at 09:50, once.
        assert announce_due(now=at(2025, 6, 9, 9, 50)) == 1
        assert announce_due(now=at(2025, 6, 9, 10, 30)) == 0
        assert sla_events(case.pk) == [("case.sla_warning", "first_response"), ("case.sla_breached", "first_response")]
        clock = CaseClock.objects.get(case_id=case.pk)
        assert clock.first_response_breached_at == at(2025, 6, 9, 9, 50)
        assert clock.next_check_at is None
        assert Notification.objects.filter(kind=NotificationKind.SLA, record_id=case.pk).count() == 2


def test_a_breach_found_late_is_announced_without_its_stale_warning(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with alpha.active():
        assert announce_due(now=at(2025, 6, 2, 15, 0)) == 1
        assert sla_events(case.pk) == [("case.sla_breached", "first_response")]
        assert CaseClock.objects.get(case_id=case.pk).first_response_warned_at is not None


def test_a_paused_case_warns_nobody_and_a_met_target_never_breaches(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=120)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 9, 10), tick=False), alpha.active():
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="On it.")
        update_case(case, by=None, status=status_for(StatusCategory.PENDING))
    with alpha.active():
        assert announce_due(now=at(2025, 6, 3, 17, 0)) == 0
        assert sla_events(case.pk) == []


def test_an_unassigned_case_notifies_its_queue(alpha: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
        team = Team.objects.get(name="Field sales")
        members = sorted(team.members.values_list("pk", flat=True))
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha, team=team)
    with alpha.active():
        assert announce_due(now=at(2025, 6, 2, 9, 48)) == 1
        recipients = Notification.objects.filter(kind=NotificationKind.SLA, record_id=case.pk)
        assert sorted(recipients.values_list("recipient_id", flat=True)) == members


def test_the_sweep_queues_tenants_and_the_task_runs_in_one(alpha: TenantFixture, eager_tasks: None) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with time_machine.travel(at(2025, 6, 2, 9, 50), tick=False):
        assert announce_sla_due() == 0  # in the public schema: nothing done
        assert sweep_sla_clocks() >= 1
    with alpha.active():
        assert sla_events(case.pk) == [("case.sla_warning", "first_response")]


def test_another_tenants_clock_is_not_touched(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with beta.active():
        assert announce_due(now=at(2025, 6, 2, 12, 0)) == 0
    with alpha.active():
        assert sla_events(case.pk) == []
        assert CaseClock.objects.get(case_id=case.pk).first_response_breached_at is None


def test_a_breach_starts_the_rules_with_the_breach_trigger_and_not_the_warning_ones(alpha: TenantFixture) -> None:
    from customization.workflows.models import WorkflowRun
    from tests.customization.workflows.engine.conftest import drive, make_rule

    with alpha.active():
        office_calendar()
        standard_policy(first_response=60, resolution=None)
        escalate = make_rule(
            entity="case", trigger="case_sla_breached",
            actions=[{"type": "update_field", "field": "priority", "value": "urgent"}],
        )  # fmt: skip
        warned = make_rule(
            entity="case", trigger="case_sla_warning",
            actions=[{"type": "update_field", "field": "description", "value": "due soon"}],
        )  # fmt: skip
    with time_machine.travel(at(2025, 6, 2, 9, 0), tick=False):
        case = make_case(alpha)
    with alpha.active():
        assert announce_due(now=at(2025, 6, 2, 15, 0)) == 1  # the breach alone (its warning is moot)
        drive()
        run = WorkflowRun.objects.get(rule=escalate)
        assert (run.status, run.record_id) == ("succeeded", case.pk)
        assert not WorkflowRun.objects.filter(rule=warned).exists()
        case.refresh_from_db()
        assert case.priority == "urgent"
