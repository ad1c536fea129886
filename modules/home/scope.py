"""Whose work the home page shows: the user's own ("me") or their team's.

Users whose role sees only their own records have no choice. With team visibility the team view
is them and their teammates; with full visibility it is the members of their teams, or everyone
when they belong to no team.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from identity.choices import RecordVisibility
from identity.models import User

ME = "me"
TEAM = "team"


@dataclass(frozen=True)
class Scope:
    key: str
    owner_ids: frozenset[int] | None  # None: every owner
    can_switch: bool

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
    """The scope asked for in ``?scope=``, falling back to "me" when the user may not switch."""
    can_switch = may_switch(user)
    if requested != TEAM or not can_switch:
        return Scope(ME, frozenset({user.pk}), can_switch)
    members = set(User.objects.filter(teams__in=user.teams.all()).values_list("pk", flat=True))
    if members:
        return Scope(TEAM, frozenset({user.pk, *members}), can_switch)
    if user.record_visibility == RecordVisibility.ALL:
        return Scope(TEAM, None, can_switch)
    return Scope(TEAM, frozenset({user.pk}), can_switch)
