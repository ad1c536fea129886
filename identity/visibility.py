"""Record visibility: the one filter every list, search and count applies for a user."""

from typing import Any

from django.db.models import Q, QuerySet

from identity.choices import RecordVisibility
from identity.models import User


def visible_owner_ids(user: User) -> set[int] | None:
    """Ids of users whose records ``user`` may see; None means everyone's."""
    scope = user.record_visibility
    if scope == RecordVisibility.ALL:
        return None
    if scope == RecordVisibility.TEAM:
        teammates = User.objects.filter(teams__in=user.teams.all()).values_list("pk", flat=True)
        return {user.pk, *teammates}
    return {user.pk}


def restrict_to_visible(queryset: QuerySet[Any], user: User, owner_field: str = "owner") -> QuerySet[Any]:
    owners = visible_owner_ids(user)
    if owners is None:
        return queryset
    return queryset.filter(Q(**{f"{owner_field}__in": owners}))
