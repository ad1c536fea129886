"""Keyset pages and the capped count of a list.

Pages are cut with a cursor (the last row's sort value and id), never with OFFSET: the hundredth
page of a million rows costs what the first one does. NULL sort values come last in both
directions. The count stops at ``COUNT_CAP`` rows (one ``SELECT count(*) FROM (… LIMIT n)``), so a
big list says "1,000+" instead of scanning every row it matches on each page view.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet

from core.input_bounds import value_problem

PAGE_SIZE = 50
COUNT_CAP = 1000
SORT_ALIAS = "_list_sort"


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str | None
    sort: str  # e.g. "-created"


@dataclass(frozen=True)
class Count:
    value: int
    capped: bool  # there are more rows than ``value``


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> Count:
    found = queryset.order_by()[: cap + 1].count()
    return Count(value=min(found, cap), capped=found > cap)


def model_field(model: type[models.Model], path: str) -> models.Field[Any, Any] | None:
    """The field at the end of an ORM path (``stage__position``)."""
    current: Any = model
    found = None
    for part in path.split("__"):
        try:
            found = current._meta.get_field(part)
        except Exception:
            return None
        current = found.related_model
    return found  # type: ignore[no-any-return]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(value: Any, field: models.Field[Any, Any] | None) -> Any:
    """The cursor's value typed like the sort column; ValueError when it cannot be one."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(str(value))
    if isinstance(field, models.DateField):
        return date.fromisoformat(str(value))
    if isinstance(field, models.DecimalField):
        try:
            return Decimal(str(value))
        except InvalidOperation as error:
            raise ValueError(value) from error
    if isinstance(field, models.IntegerField | models.AutoField):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(value)
        return value
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def encode_cursor(value: Any, pk: int) -> str:
    raw = json.dumps([_encode(value), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field: models.Field[Any, Any] | None) -> tuple[Any, int] | None:
    """(sort value, id) from a cursor; None when it was tampered with or holds a value the column
    cannot (core.input_bounds), so the list starts again from its first page."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        decoded = _decode(value, field)
    except (ValueError, TypeError, binascii.Error):
        return None
    if isinstance(pk, bool) or not isinstance(pk, int) or value_problem([decoded, pk]):
        return None
    return decoded, pk


def keyset_page(
    queryset: QuerySet[Any], path: str, *, descending: bool, cursor: str | None, sort: str, size: int = PAGE_SIZE
) -> Page:
    """One page of ``queryset`` in (``path``, id) order after ``cursor``.

    Empty values sort last. A column of the record itself that cannot be empty is ordered plainly
    (``updated_at DESC, id DESC``): the same order, which a b-tree index on (column, id) serves
    read forwards or backwards, where ``NULLS LAST`` would make PostgreSQL join and sort every
    matching row before taking the page."""
    field = model_field(queryset.model, path)
    nullable = "__" in path or field is None or field.null
    if nullable:
        order = F(path).desc(nulls_last=True) if descending else F(path).asc(nulls_last=True)
    else:
        order = F(path).desc() if descending else F(path).asc()
    queryset = queryset.annotate(**{SORT_ALIAS: F(path)}).order_by(order, "-pk" if descending else "pk")
    position = decode_cursor(cursor, field) if cursor else None
    if position is not None:
        value, pk = position
        tie = Q(pk__lt=pk) if descending else Q(pk__gt=pk)
        if value is None:
            queryset = queryset.filter(Q(**{f"{SORT_ALIAS}__isnull": True}) & tie)
        else:
            beyond = Q(**{f"{SORT_ALIAS}__{'lt' if descending else 'gt'}": value})
            after = beyond | Q(**{SORT_ALIAS: value}) & tie
            queryset = queryset.filter(after | Q(**{f"{SORT_ALIAS}__isnull": True}) if nullable else after)
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(getattr(rows[-1], SORT_ALIAS), rows[-1].pk)
    return Page(rows=rows, next_cursor=next_cursor, sort=sort)
