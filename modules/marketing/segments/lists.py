"""The segment list, declared for the list framework (``modules.lists``): search, kind and owner
filters, saved views, owner changes and deletion in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import User
from modules.lists.actions import owner_choices
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from modules.marketing.segments.services import delete_segment, update_segment

ME = "me"


def segment_rows(user: User) -> QuerySet[Segment]:
    return Segment.objects.select_related("owner")


def filter_segments(segments: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``segments`` narrowed by the list's parameters; values that name nothing are ignored."""
    if params.get("kind", "") in SegmentKind.values:
        segments = segments.filter(kind=params["kind"])
    owner = params.get("owner", "")
    if owner == ME:
        segments = segments.filter(owner=user)
    elif owner.isdigit() and not value_problem(int(owner)):
        segments = segments.filter(owner_id=int(owner))
    query = params.get("q", "").strip()
    if query:
        segments = segments.filter(Q(name__icontains=query) | Q(description__icontains=query))
    return segments


def _owner_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(ME, _("Me")), *((owner.pk, owner.display_name) for owner in owner_choices(user))]


def _detail(row: Segment) -> str:
    return reverse("marketing-segments:detail", args=[row.pk])


SEGMENTS = ListDefinition(
    key=register_list_key("segment"),
    title=_("Segments"),
    namespace="marketing-segments",
    prefix="segment",
    module_permission="marketing",
    rows=segment_rows,
    apply_filters=filter_segments,
    filters=(
        Filter("q", _("Search"), placeholder=_("Name or description")),
        Filter("kind", _("Kind"), options=lambda user: SegmentKind.choices),
        Filter("owner", _("Owner"), options=_owner_options, any_label=_("Anyone")),
    ),
    columns=(
        Column("name", _("Name"), "lists/cells/link.html", url=_detail, sort="name", phone=True),
        Column("kind", _("Kind"), value=lambda row: row.get_kind_display()),
        Column("member_count", _("Members"), numeric=True, sort="members", phone=True),
        Column("evaluated_at", _("Evaluated"), "lists/cells/datetime.html", sort="evaluated"),
        Column("owner", _("Owner"), "lists/cells/user.html"),
        Column("description", _("Description"), default=False),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created", default=False),
    ),
    sorts={"name": "name", "members": "member_count", "evaluated": "evaluated_at", "created": "created_at"},
    default_sort="name",
    custom_fields=False,
    update=update_segment,
    delete=delete_segment,
    toolbar="marketing/segments/list_toolbar.html",
    empty_text=_("No segments yet."),
    rows_name="segments",
    url_names={"list": "marketing-segments:list"},
    exportable=True,
)
