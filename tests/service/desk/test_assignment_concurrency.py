"""Round robin under concurrent cases: each transaction reads and moves the rule's pointer under a
row lock, so cases created at the same moment go to the members in turn, none twice in a row."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from customization.events.models import DomainEvent
from identity.models import Role, Team, User
from modules.contacts.models import TimelineEntry
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule
from modules.service.desk.services.assignment import create_rule
from modules.service.models import Case
from modules.service.services.cases import create_case
from tenants.models import Tenant
from tests.factories import ContactFactory

AGENTS = 3
WRITERS = 6


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Real commits: concurrent transactions cannot be shown inside one rolled-back test transaction."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def test_concurrent_cases_rotate_over_the_members(committed: None) -> None:
    tenant = Tenant.objects.get(slug="alpha")
    with tenant_context(tenant):
        team = Team.objects.create(name="Concurrent desk")
        role = Role.objects.get(key="admin")
        agents = []
        for index in range(AGENTS):
            user = User.objects.create_user(email=f"concurrent-{index}@alpha.example", password="x" * 14, role=role)
            user.teams.add(team)
            agents.append(user)
        rule = create_rule(name="Concurrent robin", method=AssignmentMethod.ROUND_ROBIN, team=team)
        contact = ContactFactory(last_name="Concurrent assignment")
    barrier = threading.Barrier(WRITERS)
    owners: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with tenant_context(tenant):
                barrier.wait()
                case = create_case(by=None, contact=contact, subject="At once", team=team)
                owners.append(case.owner_id)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _index in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert Counter(owners) == {agent.pk: WRITERS // AGENTS for agent in agents}
        with tenant_context(tenant):
            in_order = list(Case.objects.filter(contact=contact).order_by("number").values_list("owner", flat=True))
        # The lock serialises the creators: in number order the cases go round the members.
        assert in_order == [agent.pk for agent in agents] * (WRITERS // AGENTS)
    finally:
        with tenant_context(tenant):
            cases = Case.objects.filter(contact=contact)
            DomainEvent.objects.filter(entity="case", record_id__in=cases.values("pk")).delete()
            TimelineEntry.objects.filter(contact=contact).delete()
            cases.delete()
            AssignmentRule.objects.filter(pk=rule.pk).delete()
            contact.delete()
            team.delete()
            User.objects.filter(pk__in=[agent.pk for agent in agents]).delete()
