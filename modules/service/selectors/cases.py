"""Which cases a user sees: the cases of owners their role's visibility covers, plus the unassigned
cases waiting in their teams' queues (or in no queue), so an agent can pick up new work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.functions import Lower

from identity.models import User
from identity.visibility import visible_owner_ids
from modules.contacts.models import Contact
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


def matching_cases(cases: QuerySet[Any], text: str) -> QuerySet[Any]:
    """``cases`` whose number or subject contains ``text``, or whose contact's name or e-mail does
    (case-insensitive).

    Written so that each part can use an index: the lower-case number and subject have trigram
    indexes, and the contacts are found first through theirs (``ARRAY(SELECT …)`` runs once, as an
    init plan), so ``contact_id = ANY(…)`` reads the cases' contact index. Matching through a join
    instead (``contact.full_name ILIKE …`` OR …) leaves PostgreSQL no index to use: it reads the
    cases newest first until it has a page, which for a rare word means every case."""
    needle = text.lower()
    contacts = (
        Contact.objects.alias(_name=Lower("full_name"), _email=Lower("email"))
        .filter(Q(_name__contains=needle) | Q(_email__contains=needle))
        .values("pk")
    )
    of_contacts = _EqualsAny(F("contact_id"), ArraySubquery(contacts.order_by()))
    return cases.alias(_number=Lower("number"), _subject=Lower("subject")).filter(
        Q(_number__contains=needle) | Q(_subject__contains=needle) | of_contacts
    )


class _EqualsAny(Lookup):  # type: ignore[type-arg]
    """``lhs = ANY(rhs)`` for an array expression (Django's ``__in`` writes ``IN (SELECT …)``, which
    PostgreSQL cannot read an index for inside an OR)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def waiting_in_queues(case: Case, team_ids: Iterable[int]) -> bool:
    """An unassigned case in one of ``team_ids``' queues, or in no queue: what ``visible_cases``
    adds to the owners' cases, checked on a loaded row (the link rule, ``modules.record_access``)."""
    return case.owner_id is None and (case.team_id is None or case.team_id in set(team_ids))


def case_extra_visibility(record: Any, access: Any) -> bool:
    """``modules.record_access``'s extra rule for cases, registered by ``ServiceConfig.ready()``."""
    return waiting_in_queues(record, access.team_ids())


def case_extra_condition(prefix: str, access: Any) -> Q:
    """The same rule in SQL for cases reached through ``prefix`` (``"case__"``)."""
    no_queue_or_mine = Q(**{f"{prefix}team__isnull": True}) | Q(**{f"{prefix}team_id__in": sorted(access.team_ids())})
    return Q(**{f"{prefix}owner__isnull": True}) & no_queue_or_mine
