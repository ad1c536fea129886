"""Reading dashboards: which a user may open and change."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from identity.models import User
from modules.analytics.dashboards.models import Dashboard
from modules.analytics.reports.choices import Sharing


def dashboards_for(user: User) -> QuerySet[Dashboard]:
    """The dashboards ``user`` may open: their own and those shared with everyone, their role or
    one of their teams (the saved reports' rule)."""
    shared = (
        Q(sharing=Sharing.EVERYONE)
        | Q(sharing=Sharing.ROLE, shared_role_id=user.role_id)
        | Q(sharing=Sharing.TEAM, shared_team__in=user.teams.values("pk"))
    )
    return Dashboard.objects.filter(Q(owner=user) | shared).select_related("owner")


def may_edit(user: User, dashboard: Dashboard) -> bool:
    """Only the owner changes a dashboard (its widgets and layout too), with ``analytics.change``."""
    return dashboard.owner_id == user.pk and user.has_perm("analytics.change")
