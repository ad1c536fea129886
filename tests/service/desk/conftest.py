"""Service desk test helpers: agents in a queue (a team), made in tenant alpha."""

from __future__ import annotations

from identity.models import Role, Team, User
from tests.tenancy import TenantFixture


def make_agents(alpha: TenantFixture, team_name: str, count: int, *, prefix: str = "agent") -> tuple[Team, list[User]]:
    """A queue with ``count`` active agents of the admin role (created in id order)."""
    with alpha.active():
        team = Team.objects.create(name=team_name)
        role = Role.objects.get(key="admin")
        agents = []
        for index in range(count):
            user = User.objects.create_user(
                email=f"{prefix}-{team_name.lower().replace(' ', '-')}-{index}@alpha.example", password="x" * 14
            )
            user.role = role
            user.full_name = f"{prefix.title()} {index}"
            user.save()
            user.teams.add(team)
            agents.append(user)
        return team, agents
