"""Whose work the home page shows: the user's own ("me") or their team's.

Users whose role sees only their own records have no choice. With team visibility the team view
is them and their teammates; with full visibility it is the members of their teams, or everyone
when they belong to no team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from identity.choices import RecordVisibility
from identity.models import User

ME = "me"
TEAM = "team"


@dataclass(frozen=True)
class Scope:
    key: str
    owner_ids: frozenset[int] | None  # None: every owner
    can_switch: bool
    team_label: str = ""  # what the switch calls the team view: "My team", or "Everyone"

    @property
    def is_team(self) -> bool:
        return self.key == TEAM

    def restrict(self, queryset: QuerySet[Any], owner_field: str = "owner") -> QuerySet[Any]:
        if self.owner_ids is None:
            return queryset
        return queryset.filter(**{f"{owner_field}__in": self.owner_ids})


def may_switch(user: User) -> bool:
    return user.record_visibility in (RecordVisibility.TEAM, RecordVisibility.ALL)


def scope_for(user: User, requested: str | None) -> Scope:
    """The scope asked for in ``?scope=``, falling back to "me" when the user may not switch.
    One query for those who may (their teams' members), none for the others."""
    mine = frozenset({user.pk})
    if not may_switch(user):
        return Scope(ME, mine, can_switch=False)
    members = set(User.objects.filter(teams__in=user.teams.all()).values_list("pk", flat=True))
    team: frozenset[int] | None = frozenset({user.pk, *members})
    if not members and user.record_visibility == RecordVisibility.ALL:
        team = None
    label = str(_("Everyone") if team is None else _("My team"))
    if requested != TEAM:
        return Scope(ME, mine, can_switch=True, team_label=label)
    return Scope(TEAM, team, can_switch=True, team_label=label)
