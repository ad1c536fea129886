"""Exports of the lists built on the list framework (``modules.lists``): any ``ListDefinition``
becomes a ``ListSource`` whose rows are the list's own (its ``rows`` — visibility —, its filters
through ``apply_filters``, its custom-field filters and its sort, as the page reads them from the
query string) and whose columns are the list's columns, every one of them, chosen or not.

A list of one parent's rows (a send's recipients, a form's submissions) is exported with the
parent's id as ``parent`` in the query string; ``bind(parent, user)`` gives the list bound to it
(or raises Http404 for a parent the user may not open), so a background job rebuilds the same
rows. Links to records (a recipient's contact) follow the link rule: a record the reader may not
open is written as such, never named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Model, QuerySet
from django.db.models.manager import BaseManager
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from customization.fields.listing import ListState
from customization.fields.queries import order_by_custom
from identity.models import User
from modules.dataio.exports.sources import Column, ListSource
from modules.lists.definition import Column as ListColumn
from modules.lists.definition import ListDefinition, extended
from modules.lists.views import list_params
from modules.record_access import RecordAccess

Bind = Callable[[str, User], ListDefinition]
PARENT = "parent"


def _ordered(definition: ListDefinition, queryset: QuerySet[Any], params: dict[str, str]) -> QuerySet[Any]:
    """The page's sort (``sort=[-]key`` among the list's sorts, else its default), ties by id,
    empty values last as the keyset pages put them."""
    requested = params.get("sort", "")
    if requested.lstrip("-") not in definition.sorts:
        requested = definition.default_sort
    path = definition.sorts[requested.lstrip("-")]
    if requested.startswith("-"):
        return queryset.order_by(F(path).desc(nulls_last=True), "-pk")
    return queryset.order_by(F(path).asc(nulls_last=True), "pk")


def _text(value: Any, access: RecordAccess) -> Any:
    """A cell's value as the writers take it: numbers, dates and booleans as they are, records
    by their name when the reader may open them, related sets as their names joined."""
    if value is None or isinstance(value, bool | int | Decimal | float | date | datetime | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Model):
        return str(value) if access.shown(value) is not None else _("(not visible to you)")
    if isinstance(value, QuerySet | BaseManager):
        return ", ".join(str(_text(item, access)) for item in value.all())
    return str(value)


def _cell(column: ListColumn, access: RecordAccess) -> Callable[[Any], Any]:
    def read(row: Any) -> Any:
        value = column.export(row) if column.export is not None else column.value_of(row)
        return _text(value, access)

    return read


def list_source(definition: ListDefinition, *, module: str, bind: Bind | None = None) -> ListSource:
    """``definition``'s export: ``module`` is the plan's module the list belongs to; ``bind``
    binds a list of one parent's rows to the parent named by ``?parent=``."""

    def select(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
        chosen = extended(definition if bind is None else bind(params.get(PARENT, ""), user), user)
        filters = list_params(chosen, params)
        queryset = chosen.apply_filters(chosen.rows(user), filters, user)
        if chosen.custom_fields:
            queryset = state.apply(queryset)
        prefetch = [column.prefetch for column in definition.columns if column.prefetch]
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        if chosen.custom_fields and state.sort is not None:
            return order_by_custom(queryset, state.sort, descending=state.descending)
        return _ordered(chosen, queryset, filters)

    def reader_columns(user: User) -> tuple[Column, ...]:
        access = RecordAccess(user, getattr(connection, "tenant", None))
        return tuple(Column(column.label, _cell(column, access)) for column in definition.columns)

    return ListSource(
        entity=definition.key,
        title=definition.title,
        module=module,
        permission=definition.view_permission,
        select=select,
        columns=(),
        reader_columns=reader_columns,
    )
