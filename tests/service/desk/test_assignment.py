"""Assignment rules: the first matching rule picks the agent of a case that arrives without one
(round robin in order, least loaded, fixed), and of an unassigned case moved to another queue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from modules.service.choices import CaseChannel, CasePriority, StatusCategory
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule
from modules.service.desk.services.assignment import create_rule, reorder_rules, update_rule
from modules.service.models import CaseCategory
from modules.service.services.cases import update_case
from modules.service.services.statuses import status_for
from tests.service.conftest import make_case
from tests.service.desk.conftest import make_agents
from tests.tenancy import TenantFixture


def test_round_robin_rotates_over_the_queues_active_members_in_order(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Tier one", 3)
    with alpha.active():
        agents[1].is_active = False
        agents[1].save()
        create_rule(name="Everyone", method=AssignmentMethod.ROUND_ROBIN)

    owners = [make_case(alpha, team=team).owner_id for _index in range(4)]

    assert owners == [agents[0].pk, agents[2].pk, agents[0].pk, agents[2].pk]


def test_least_loaded_picks_the_member_with_the_fewest_open_cases(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Tier two", 3)
    make_case(alpha, team=team, owner=agents[0])
    make_case(alpha, team=team, owner=agents[0])
    make_case(alpha, team=team, owner=agents[2])
    solved = make_case(alpha, team=team, owner=agents[1])
    with alpha.active():
        update_case(solved, by=None, status=status_for(StatusCategory.SOLVED))
        create_rule(name="Least loaded", method=AssignmentMethod.LEAST_LOADED)

    first = make_case(alpha, team=team)
    second = make_case(alpha, team=team)

    assert first.owner_id == agents[1].pk  # none open (a solved case does not count)
    assert second.owner_id == agents[1].pk  # agents 1 and 2 have one open case each: the lower id


def test_the_first_matching_rule_wins_and_conditions_are_all_required(alpha: TenantFixture) -> None:
    _team, agents = make_agents(alpha, "Billing desk", 2)
    with alpha.active():
        billing = CaseCategory.objects.create(name="Billing desk questions")
        german = create_rule(
            name="German billing", category=billing, language="de", method=AssignmentMethod.FIXED, agent=agents[0]
        )
        urgent = create_rule(
            name="Urgent phone", priority=CasePriority.URGENT, channel=CaseChannel.PHONE,
            method=AssignmentMethod.FIXED, agent=agents[1],
        )  # fmt: skip

    german_case = make_case(alpha, category=billing, language="de-AT", priority=CasePriority.URGENT,
                            channel=CaseChannel.PHONE)  # fmt: skip
    english_case = make_case(alpha, category=billing, language="en", priority=CasePriority.URGENT,
                             channel=CaseChannel.PHONE)  # fmt: skip
    urgent_mail = make_case(alpha, priority=CasePriority.URGENT, channel=CaseChannel.EMAIL)
    with alpha.active():
        reorder_rules(order=[urgent.pk, german.pk])
    reordered = make_case(alpha, category=billing, language="de", priority=CasePriority.URGENT,
                          channel=CaseChannel.PHONE)  # fmt: skip

    assert german_case.owner_id == agents[0].pk
    assert english_case.owner_id == agents[1].pk
    assert urgent_mail.owner_id is None
    assert reordered.owner_id == agents[1].pk


def test_a_rule_assigns_within_its_own_queue_and_puts_the_case_there(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Returns desk", 1)
    with alpha.active():
        create_rule(name="Returns", method=AssignmentMethod.ROUND_ROBIN, queue=team)

    case = make_case(alpha)

    with alpha.active():
        case.refresh_from_db()
        assert (case.owner_id, case.team_id) == (agents[0].pk, team.pk)
        assert DomainEvent.objects.filter(type="case.updated", record_id=case.pk).count() == 1


def test_a_case_with_an_agent_or_in_a_queue_without_members_stays_as_it_is(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Tier three", 2)
    with alpha.active():
        from identity.models import Team

        empty = Team.objects.create(name="Nobody here")
        create_rule(name="Robin", method=AssignmentMethod.ROUND_ROBIN)

    chosen = make_case(alpha, team=team, owner=agents[1])
    nobody = make_case(alpha, team=empty)
    no_queue = make_case(alpha)

    assert chosen.owner_id == agents[1].pk
    assert nobody.owner_id is None
    assert no_queue.owner_id is None


def test_an_unassigned_case_moved_to_another_queue_is_assigned_there(alpha: TenantFixture) -> None:
    team, agents = make_agents(alpha, "Second line", 1)
    case = make_case(alpha)
    with alpha.active():
        create_rule(name="Robin", method=AssignmentMethod.ROUND_ROBIN)
        assert case.owner_id is None

        update_case(case, by=alpha.user(), team=team)

        case.refresh_from_db()
        assert case.owner_id == agents[0].pk


def test_a_fixed_rule_needs_its_agent_and_bad_input_names_the_field(alpha: TenantFixture) -> None:
    with alpha.active():
        with pytest.raises(ValidationError) as missing:
            create_rule(name="Fixed", method=AssignmentMethod.FIXED)
        with pytest.raises(ValidationError) as nul:
            create_rule(name="Bad\x00name", method=AssignmentMethod.ROUND_ROBIN)
        with pytest.raises(ValidationError) as huge:
            create_rule(name="x" * 5000, method=AssignmentMethod.ROUND_ROBIN)
        with pytest.raises(ValidationError) as method:
            create_rule(name="Odd", method="lottery")
        rule = create_rule(name="Fine", method=AssignmentMethod.ROUND_ROBIN)
        with pytest.raises(ValidationError) as language:
            update_rule(rule, language="x" * 50)

        assert list(missing.value.message_dict) == ["agent"]
        assert list(nul.value.message_dict) == ["name"]
        assert list(huge.value.message_dict) == ["name"]
        assert list(method.value.message_dict) == ["method"]
        assert list(language.value.message_dict) == ["language"]
        assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["Fine"]
