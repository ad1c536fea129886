"""A report's group as a set of records: the records one cell of a result counts, found by the very
expressions the report grouped by (the same visibility, filters, link guards and date buckets in
the tenant's zone), so a list or a workflow started from a cell holds exactly what it counted —
an empty group (``None``) included.

A cell travels as a signed token (``?cell=`` on the lists): source, filters and groupings as the
report had them, the group's keys and its label. Whoever follows it gets the definition checked
again against their own fields and visibility, so a token is no way to read more than one may.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports.definition import Spec
from modules.analytics.reports.execution import Context, current_context, dimension_expression, filtered
from modules.analytics.reports.registry import ReportSource
from modules.analytics.reports.selectors import access_for, checked
from modules.record_access import RecordAccess
from modules.registry import is_enabled

SALT = "analytics.report-cell"
CELL_PARAM = "cell"
# A link stays usable for a working month; the records are worked out again when it is followed.
MAX_AGE_SECONDS = 31 * 24 * 3600
MAX_TOKEN = 8_000


@dataclass(frozen=True)
class CellRef:
    """A group of a report: where it comes from and its keys, one per grouping."""

    source: str
    definition: dict[str, Any]
    keys: tuple[Any, ...]
    label: str = ""


def cell_token(source: ReportSource, spec: Spec, keys: tuple[Any, ...], label: str = "") -> str:
    payload = {
        "t": getattr(connection, "schema_name", "public"),
        "s": source.key,
        "d": spec.selection,
        "k": list(keys),
        "l": label[:200],
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read_cell_token(token: str, *, param: str = CELL_PARAM) -> CellRef:
    """The cell a token names; a ``ValidationError`` naming ``param`` for a forged, expired or
    unreadable one, a 404 for one of another workspace."""
    try:
        if len(token) > MAX_TOKEN:
            raise signing.BadSignature
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        ref = CellRef(source=str(data["s"]), definition=dict(data["d"]), keys=tuple(data["k"]), label=str(data["l"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise ValidationError({param: [_("This link to a report's group is not valid or has expired.")]}) from None
    if data.get("t") != getattr(connection, "schema_name", "public"):
        raise Http404("a report group of another workspace")  # it does not exist here
    return ref


def cell_records(
    source: ReportSource, spec: Spec, user: User, keys: tuple[Any, ...], context: Context | None = None
) -> QuerySet[Any]:
    """The records of ``source`` that one group of ``spec`` counts for ``user``."""
    if len(keys) != len(spec.dimensions) or not spec.dimensions:
        raise ValidationError({"cell": [_("Name one value for each grouping of the report.")]})
    context = context or current_context()
    with timezone.override(zoneinfo.ZoneInfo(context.zone)):
        queryset = filtered(source, spec, user)
        for index, (dimension, key) in enumerate(zip(spec.dimensions, keys, strict=True)):
            name = f"_cell{index}"
            queryset = queryset.alias(**{name: dimension_expression(dimension, context)})
            try:
                queryset = queryset.filter(**({f"{name}__isnull": True} if key is None else {name: key}))
            except (TypeError, ValueError, ValidationError):
                raise ValidationError({"cell": [_("A value of this group does not fit its grouping.")]}) from None
    return queryset


def resolve_cell(ref: CellRef, user: User, access: RecordAccess | None = None) -> tuple[ReportSource, QuerySet[Any]]:
    """The source and the records of ``ref`` for ``user``, the definition checked again for them: a
    field they may not use, or keys that no longer fit, is a ``ValidationError`` naming ``cell``."""
    access = access or access_for(user)
    try:
        source, _fields, spec = checked(ref.source, ref.definition, access)
    except ValidationError:
        raise ValidationError({"cell": [_("This group's report cannot be run with your fields any more.")]}) from None
    return source, cell_records(source, spec, user, ref.keys)


def narrow_list_to_cell(list_key: str, token: str, user: User) -> tuple[QuerySet[Any], str]:
    """The lists' ``?cell=`` narrowing (``modules.lists.definition.Narrowing``)."""
    if not is_enabled(getattr(connection, "tenant", None), "analytics") or not user.has_perm("analytics.view"):
        raise PermissionDenied(_("Report groups need the analytics module and its view permission."))
    ref = read_cell_token(token)
    source, records = resolve_cell(ref, user)
    listed = source.list_link.list_key if source.list_link and source.list_link.list_key else source.entity
    if listed != list_key:
        raise ValidationError({CELL_PARAM: [_("This group holds records of another kind than this list.")]})
    label = _("Report group: %(group)s") % {"group": ref.label} if ref.label else _("Report group")
    return records.values("pk"), label
