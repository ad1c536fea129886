"""What the modules' card context functions share: the records a card may show, and the first rows
of a card with how many there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from modules.home.scope import Scope

if TYPE_CHECKING:
    from identity.models import User


def scoped(
    visible: Callable[[User], QuerySet[Any]],
    user: User,
    scope: Scope,
    *,
    owner_field: str = "owner",
    **filters: Any,
) -> QuerySet[Any]:
    """The records of a card: those ``user`` may open (the module's own visibility rule,
    ``visible(user)``), owned within the chosen scope (``owner_field``: an activity's assignee), and
    matching ``filters``. Every scoped card starts here, so a team view never shows what the user
    could not open."""
    return scope.restrict(visible(user).filter(**filters), owner_field=owner_field)


def first_rows(queryset: QuerySet[Any], limit: int, *ordering: str) -> tuple[list[Any], int]:
    """The first ``limit`` rows in ``ordering`` and how many rows there are in all: counted by a
    second query only when the first page is full, so a short card costs one query."""
    rows = list(queryset.order_by(*ordering)[:limit])
    total = queryset.order_by().count() if len(rows) == limit else len(rows)
    return rows, total
