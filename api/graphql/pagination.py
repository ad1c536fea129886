"""Keyset pagination of GraphQL connections, and nested connections loaded for a whole page at once.

A cursor is opaque: base64 of the row's position in the connection's order (each sort value as text,
as ``customization.fields.queries.position_of`` writes it, then the id) and a short signature of that
order, so a cursor of another order is refused instead of misread. Pages are cut with a WHERE on the
position (never OFFSET), so rows inserted before a cursor do not shift the page after it, and every
sort key orders empty values last (as custom-field sorts do), in both directions.

``totalCount`` is a COUNT run only when the field is selected.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OrderBy, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _
from graphene.relay import PageInfo
from graphql import GraphQLError

from api.graphql.batching import instances_of, operation_state, remember
from customization.fields.queries import after_position, position_of

ALIAS = "_keyset_{}"
ROW = "_keyset_row"
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Term:
    """One sort key of a connection: an annotation alias (None: the id) and its direction."""

    alias: str | None
    expression: Any  # F, an expression, or None for the id
    descending: bool

    @property
    def column(self) -> str:
        return self.alias or "pk"


def order_terms(queryset: QuerySet[Any]) -> list[Term]:
    """The queryset's order as keyset terms, ending with the id (added when missing)."""
    model = queryset.model
    pk_names = {"pk", model._meta.pk.name, model._meta.pk.attname}
    terms: list[Term] = []
    for item in list(queryset.query.order_by) or list(model._meta.ordering):
        if isinstance(item, str):
            if item == "?":
                continue
            descending, name = item.startswith("-"), item.lstrip("-")
            if name in pk_names:
                return [*terms, Term(None, None, descending)]
            terms.append(Term(ALIAS.format(len(terms)), F(name), descending))
        elif isinstance(item, OrderBy):
            terms.append(Term(ALIAS.format(len(terms)), item.expression, item.descending))
        else:
            terms.append(Term(ALIAS.format(len(terms)), item, False))
    return [*terms, Term(None, None, terms[-1].descending if terms else False)]


def _order_by(term: Term, *, reverse: bool) -> OrderBy:
    descending = term.descending != reverse
    if term.alias is None:
        return F("pk").desc() if descending else F("pk").asc()
    # Empty values last in the connection's order, hence first when walking it backwards.
    nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
    return F(term.alias).desc(**nulls) if descending else F(term.alias).asc(**nulls)


def keyset_ordered(queryset: QuerySet[Any], terms: list[Term], *, reverse: bool = False) -> QuerySet[Any]:
    annotations = {term.alias: term.expression for term in terms if term.alias is not None}
    return queryset.annotate(**annotations).order_by(*(_order_by(term, reverse=reverse) for term in terms))


def _beyond(term: Term, value: Any, *, forward: bool) -> Q:
    """Rows strictly after ``value`` in this term's order (forward), or strictly before it."""
    column = term.column
    later, earlier = ("lt", "gt") if term.descending else ("gt", "lt")
    if forward:
        if value is None:  # empty values come last: nothing is beyond them in this term
            return NOTHING
        after = Q(**{f"{column}__{later}": value})
        return after if term.alias is None else after | Q(**{f"{column}__isnull": True})
    if value is None:
        return Q(**{f"{column}__isnull": False})
    return Q(**{f"{column}__{earlier}": value})


def _equal(term: Term, value: Any) -> Q:
    return Q(**{f"{term.column}__isnull": True}) if value is None else Q(**{term.column: value})


def keyset_condition(terms: list[Term], values: list[Any], *, forward: bool) -> Q:
    """Rows after (forward) or before ``values`` in the lexicographic order of ``terms``."""
    if forward and len(terms) == 2 and terms[0].descending == terms[1].descending and terms[0].alias:
        # One sort key and the id: exactly the keyset of custom-field sorted pages.
        return after_position(terms[0].alias, values[0], values[1], descending=terms[0].descending)
    condition = _beyond(terms[-1], values[-1], forward=forward)
    for term, value in reversed(list(zip(terms[:-1], values[:-1], strict=True))):
        condition = _beyond(term, value, forward=forward) | (_equal(term, value) & condition)
    return condition


# --- cursors ------------------------------------------------------------------------------------------


def order_signature(queryset: QuerySet[Any], terms: list[Term]) -> str:
    """A short digest of the order (the SQL of its keys and their directions)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    parts = []
    for term in terms:
        if term.alias is None:
            parts.append(f"pk {term.descending}")
            continue
        sql, params = compiler.compile(queryset.query.annotations[term.alias])
        parts.append(f"{sql} {params} {term.descending}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def encode_cursor(signature: str, row: Any, terms: list[Term]) -> str:
    values = [position_of(getattr(row, term.alias), row.pk)[0] for term in terms if term.alias is not None]
    raw = json.dumps({"o": signature, "p": [*values, row.pk]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: Any, signature: str, terms: list[Term], argument: str) -> list[Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(str(cursor) + "=" * (-len(str(cursor)) % 4)))
        position = data["p"]
        valid = data["o"] == signature and isinstance(position, list) and len(position) == len(terms)
        valid = valid and isinstance(position[-1], int) and all(v is None or isinstance(v, str) for v in position[:-1])
    except (ValueError, TypeError, KeyError, binascii.Error):
        valid = False
    if not valid:
        raise GraphQLError(
            _("%(argument)s: not a cursor of this list in this order.") % {"argument": argument},
            extensions={"code": "BAD_USER_INPUT", "field": argument},
        )
    return list(position)


def _after(queryset: QuerySet[Any], terms: list[Term], values: list[Any], *, forward: bool, argument: str) -> Any:
    try:  # a text value the sort key's type cannot read (a forged cursor) is the client's error
        return queryset.filter(keyset_condition(terms, values, forward=forward))
    except (ValidationError, ValueError, TypeError) as error:
        raise GraphQLError(
            _("%(argument)s: not a cursor of this list in this order.") % {"argument": argument},
            extensions={"code": "BAD_USER_INPUT", "field": argument},
        ) from error


# --- pages --------------------------------------------------------------------------------------------


def page_limits(args: dict[str, Any], max_limit: int | None, field_name: str | None = None) -> None:
    """``first`` / ``last`` / ``offset`` within bounds, else a BAD_USER_INPUT error naming the argument
    (worded as graphene-django and graphql-relay word them for root connections)."""
    for name in ("first", "last", "offset"):
        value = args.get(name)
        if value is None:
            continue
        too_big = name != "offset" and max_limit is not None and value > max_limit
        if not too_big and value >= 0:
            continue
        if field_name is None:
            message = _("Argument '%(name)s' must be between 0 and %(limit)s.") % {"name": name, "limit": max_limit}
        elif too_big:
            message = (
                f"Requesting {value} records on the `{field_name}` connection exceeds the `{name}` limit of "
                f"{max_limit} records."
            )
        else:
            message = f"Argument '{name}' must be a non-negative integer."
        raise GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def keyset_connection(
    connection_type: Any, queryset: QuerySet[Any], args: dict[str, Any], max_limit: int | None
) -> Any:
    """One page of ``queryset`` (in its own order) as ``connection_type``; callers check the limits."""
    first, last, offset = args.get("first"), args.get("last"), args.get("offset") or 0
    terms = order_terms(queryset)
    forward_order = keyset_ordered(queryset, terms)
    signature = order_signature(forward_order, terms)
    bounded = forward_order
    if args.get("after") is not None:
        values = decode_cursor(args["after"], signature, terms, "after")
        bounded = _after(bounded, terms, values, forward=True, argument="after")
    if args.get("before") is not None:
        values = decode_cursor(args["before"], signature, terms, "before")
        bounded = _after(bounded, terms, values, forward=False, argument="before")
    if last is not None and first is None:
        backwards = bounded.order_by(*(_order_by(term, reverse=True) for term in terms))
        rows = list(backwards[offset : offset + last + 1])
        has_previous, has_next = len(rows) > last, args.get("before") is not None
        rows = rows[:last][::-1]
    else:
        limit = first if first is not None else (max_limit or 100)
        rows = list(bounded[offset : offset + limit + 1])
        has_next, has_previous = len(rows) > limit, args.get("after") is not None or offset > 0
        rows = rows[:limit]
        if last is not None and len(rows) > last:
            rows, has_previous = rows[len(rows) - last :], True
    return build_connection(connection_type, rows, terms, signature, has_previous, has_next, queryset.count)


def build_connection(
    connection_type: Any,
    rows: list[Any],
    terms: list[Term],
    signature: str,
    has_previous: bool,
    has_next: bool,
    count: Callable[[], int],
) -> Any:
    edges = [connection_type.Edge(node=row, cursor=encode_cursor(signature, row, terms)) for row in rows]
    page_info = PageInfo(
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=has_previous,
        has_next_page=has_next,
    )
    connection = connection_type(edges=edges, page_info=page_info)
    connection.count_source = count  # run by ``totalCount`` only when it is selected
    return connection


# --- nested connections, one query per page of parents --------------------------------------------------


@dataclass
class _ChildPages:
    rows: dict[int, list[Any]] = field(default_factory=dict)
    counts: dict[int, int] | None = None


def child_connection(
    info: Any, connection_type: Any, queryset: QuerySet[Any], link: str, pk: int, args: dict[str, Any], max_limit: int
) -> Any:
    """The page of ``queryset`` rows whose ``link`` is ``pk`` (e.g. a record's timeline).

    The first page of every parent of the same kind that this operation resolved (the rows of a
    list, the records they link to) is read in one query, with a window function numbering each
    parent's rows, and their counts in one more: a list of 50 records costs what a list of 5 does.
    A page after or before a cursor, or with an offset, is read for its own parent.
    """
    page_limits(args, max_limit)
    if any(args.get(name) is not None for name in ("after", "before", "offset", "last")):
        return keyset_connection(connection_type, queryset.filter(**{link: pk}), args, max_limit)
    limit: int = args["first"] if args.get("first") is not None else max_limit
    parent_model = queryset.model._meta.get_field(link).related_model
    parents = sorted({pk, *(parent.pk for parent in instances_of(info, parent_model))})
    terms = order_terms(queryset)
    ordered = keyset_ordered(queryset, terms)
    signature = order_signature(ordered, terms)
    key = (connection_type.__name__, link, limit, signature, tuple(parents))
    pages: dict[Any, _ChildPages] = operation_state(info).setdefault("child_pages", {})
    if key not in pages or pk not in pages[key].rows:
        numbered = ordered.filter(**{f"{link}__in": parents}).annotate(
            **{ROW: Window(RowNumber(), partition_by=[F(link)], order_by=[_order_by(t, reverse=False) for t in terms])}
        )
        found = _ChildPages(rows={parent: [] for parent in parents})
        for row in numbered.filter(**{f"{ROW}__lte": limit + 1}):
            found.rows[getattr(row, f"{link}_id")].append(row)
        for rows in found.rows.values():
            rows.sort(key=lambda row: getattr(row, ROW))
        pages[key] = found
    page = pages[key]
    rows = page.rows[pk]
    remember(info, rows[:limit])

    def count() -> int:
        if page.counts is None:
            grouped = queryset.order_by().filter(**{f"{link}__in": parents}).values(link).annotate(n=Count("pk"))
            page.counts = {row[link]: row["n"] for row in grouped}
        return page.counts.get(pk, 0)

    return build_connection(connection_type, rows[:limit], terms, signature, False, len(rows) > limit, count)
