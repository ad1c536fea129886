"""Reading saved reports: which a user may run and edit, and a definition checked for a user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.definition import Spec, read_definition
from modules.analytics.reports.fields import ReportField, source_fields
from modules.analytics.reports.models import Report
from modules.analytics.reports.registry import ReportSource, registered_sources, source_named
from modules.record_access import RecordAccess


def reports_for(user: User) -> QuerySet[Report]:
    """The reports ``user`` may open: their own and those shared with everyone, their role or one
    of their teams."""
    shared = (
        Q(sharing=Sharing.EVERYONE)
        | Q(sharing=Sharing.ROLE, shared_role_id=user.role_id)
        | Q(sharing=Sharing.TEAM, shared_team__in=user.teams.values("pk"))
    )
    return Report.objects.filter(Q(owner=user) | shared).select_related("owner")


def may_edit(user: User, report: Report) -> bool:
    """Only the report's owner changes or deletes it, and only with ``analytics.change``."""
    return report.owner_id == user.pk and user.has_perm("analytics.change")


def access_for(user: User, allows_module: Callable[[str], bool] | None = None) -> RecordAccess:
    tenant = getattr(connection, "tenant", None)
    if allows_module is None:
        return RecordAccess(user, tenant)
    return RecordAccess(user, tenant, allows_module)


def sources_for(access: RecordAccess) -> list[ReportSource]:
    """The sources whose module the user (and credential) may read."""
    return [source for source in registered_sources() if access.module_allowed(source.module)]


def checked(
    source_key: Any, definition: Any, access: RecordAccess, *, extra_filters: list[Any] | None = None
) -> tuple[ReportSource, dict[str, ReportField], Spec]:
    """The source, its fields for this user and the checked definition; a ``ValidationError``
    naming the wrong part otherwise (an unknown source or one the user may not read: ``source``)."""
    source = source_named(source_key) if isinstance(source_key, str) else None
    if source is None or not access.module_allowed(source.module):
        raise ValidationError({"source": [_("Choose one of the record types offered.")]})
    fields = source_fields(source, access)
    return source, fields, read_definition(definition, fields, extra_filters=extra_filters)
