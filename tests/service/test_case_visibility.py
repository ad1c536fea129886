"""Agents see their own cases and the unassigned ones of their queues; managers see all."""

from __future__ import annotations

from identity.choices import RecordVisibility
from identity.models import Team, User
from modules.service.selectors.cases import visible_cases
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture


def test_an_agent_sees_own_cases_and_unassigned_ones_of_their_queues(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        agent = User.objects.create_user(email="agent-visibility@alpha.example", password="x" * 12)
        agent.role = admin.role.__class__.objects.create(
            key="case-agent", name="Agent", record_visibility=RecordVisibility.OWN
        )
        agent.save()
        mine, other = Team.objects.create(name="Tier 1"), Team.objects.create(name="Tier 2")
        agent.teams.add(mine)
    own = make_case(alpha, owner=agent)
    queued = make_case(alpha, team=mine)
    unqueued = make_case(alpha)
    elsewhere = make_case(alpha, team=other)
    someone_elses = make_case(alpha, owner=admin, team=mine)
    with alpha.active():
        agent = User.objects.get(pk=agent.pk)
        seen = set(visible_cases(agent).values_list("pk", flat=True))
        assert {own.pk, queued.pk, unqueued.pk} <= seen
        assert elsewhere.pk not in seen
        assert someone_elses.pk not in seen
        assert {own.pk, queued.pk, unqueued.pk, elsewhere.pk, someone_elses.pk} <= set(
            visible_cases(User.objects.get(pk=admin.pk)).values_list("pk", flat=True)
        )
