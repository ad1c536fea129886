"""Segments on the contact list: a "Segment" filter (``?segment=<id>``) keeps the segment's members,
so the contact list's columns, bulk actions, saved views and exports (CSV, XLSX) work on a segment
(``modules.lists.definition.register_list_extension``). Offered to users with ``marketing.view`` on a
tenant with marketing; it reads the kept membership, one ``IN`` subquery."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.lists.definition import Filter, ListExtension, register_list_extension
from modules.registry import is_enabled

PARAM = "segment"
MAX_OPTIONS = 500


def _available(user: User) -> bool:
    return is_enabled(getattr(connection, "tenant", None), "marketing") and user.has_perm("marketing.view")


def _options(user: User) -> Iterable[tuple[Any, Any]]:
    from modules.marketing.models import Segment

    return list(Segment.objects.order_by("name", "id").values_list("pk", "name")[:MAX_OPTIONS])


def _apply(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    from modules.marketing.models import SegmentMember

    value = params.get(PARAM, "")
    if not value:
        return queryset
    # A value that names no segment keeps nothing (a stale link must not list every contact).
    segment_id = int(value) if value.isdigit() and len(value) <= 18 else 0
    return queryset.filter(pk__in=SegmentMember.objects.filter(segment_id=segment_id).values("contact_id"))


def register() -> None:
    register_list_extension(
        ListExtension(
            key="marketing-segment",
            list_keys=("contact",),
            available=_available,
            filters=(Filter(PARAM, _("Segment"), options=_options, any_label=_("Any segment")),),
            apply_filters=_apply,
        )
    )
