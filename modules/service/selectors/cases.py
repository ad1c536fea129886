"""Which cases a user sees: the cases of owners their role's visibility covers, plus the unassigned
cases waiting in their teams' queues (or in no queue), so an agent can pick up new work."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.service.models import Case


def visible_cases(user: User, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    cases = Case.objects.all() if queryset is None else queryset
    owners = visible_owner_ids(user)
    if owners is None:
        return cases
    unassigned = Q(owner__isnull=True) & (Q(team__isnull=True) | Q(team__in=user.teams.all()))
    return cases.filter(Q(owner__in=owners) | unassigned)


def case_list_queryset(user: User) -> QuerySet[Any]:
    """Visible cases with what a list row shows, in one query."""
    return visible_cases(user).select_related("status", "category", "team", "owner", "contact", "company")
