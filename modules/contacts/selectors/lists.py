"""The company and contact lists: filters, sorting and keyset pagination, always within record visibility.

Pages are cut with a cursor (the last row's sort value and id), never with OFFSET, and no row count is
taken, so the hundredth page of a million rows costs what the first one does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import Model, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from core.input_bounds import value_problem
from customization.fields.listing import ListState, sorted_page
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company, Contact, Tag

PAGE_SIZE = 50
# pg_trgm's default similarity threshold (0.3) served by the GIN trigram indexes.
FILTER_KEYS = ("q", "owner", "lifecycle_stage", "tag", "company", "sort")


@dataclass(frozen=True)
class ListSpec:
    model: type[Model]
    name_field: str  # the sortable name column, also the trigram-indexed one
    sorts: tuple[str, ...]  # allowed sort fields (ascending names); each has an index ending in id
    default_sort: str
    filters: tuple[str, ...]


COMPANY_LIST = ListSpec(
    model=Company,
    name_field="name",
    sorts=("name",),
    default_sort="name",
    filters=("q", "owner", "lifecycle_stage", "tag"),
)
CONTACT_LIST = ListSpec(
    model=Contact,
    name_field="full_name",
    sorts=("full_name", "updated_at"),
    default_sort="full_name",
    filters=("q", "owner", "lifecycle_stage", "tag", "company"),
)


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    next_cursor: str | None
    sort: str  # e.g. "-created_at"


def visible_companies(user: User) -> QuerySet[Company]:
    return restrict_to_visible(Company.objects.all(), user)


def visible_contacts(user: User) -> QuerySet[Contact]:
    return restrict_to_visible(Contact.objects.all(), user)


def text_match(queryset: QuerySet[Any], name_field: str, q: str | None, *, substring: bool = False) -> QuerySet[Any]:
    """Rows whose full-text vector matches ``q`` (web-search syntax) or whose name is trigram-similar,
    both served by GIN indexes; with ``substring``, also names that contain ``q`` (any case)."""
    q = (q or "").strip()
    if not q:
        return queryset
    match = Q(search_vector=SearchQuery(q, config="simple", search_type="websearch")) | Q(
        _name_lower__trigram_similar=q.lower()
    )
    if substring:
        match |= Q(**{f"{name_field}__icontains": q})
    return queryset.annotate(_name_lower=Lower(name_field)).filter(match)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def filtered(
    spec: ListSpec, user: User, params: Mapping[str, str], *, base: QuerySet[Any] | None = None
) -> QuerySet[Any]:
    """The visible rows of ``spec``'s model (or of ``base``) matching the list filters in ``params``
    (unknown or bad values are ignored, like an unfiltered column)."""
    queryset: QuerySet[Any] = restrict_to_visible(base if base is not None else spec.model._default_manager.all(), user)
    if "q" in spec.filters and params.get("q"):
        queryset = text_match(queryset, spec.name_field, params["q"])
    owner = params.get("owner")
    if owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif _int(owner) is not None:
        queryset = queryset.filter(owner_id=_int(owner))
    stage = params.get("lifecycle_stage")
    if stage:
        queryset = queryset.filter(lifecycle_stage=stage)
    if _int(params.get("tag")) is not None:
        queryset = queryset.filter(tags=_int(params.get("tag")))
    if "company" in spec.filters and _int(params.get("company")) is not None:
        queryset = queryset.filter(company_id=_int(params.get("company")))
    return queryset


def sort_of(spec: ListSpec, params: Mapping[str, str]) -> str:
    sort = params.get("sort") or spec.default_sort
    return sort if sort.lstrip("-") in spec.sorts else spec.default_sort


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field: str) -> tuple[Any, int] | None:
    """(sort value, id) from a cursor; None when it was tampered with."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if field in ("created_at", "updated_at", "occurred_at"):
            value = datetime.fromisoformat(value)
        if not isinstance(pk, int) or not isinstance(value, str | datetime):
            return None
        if value_problem([value, pk]):  # what the database can compare (core.input_bounds)
            return None
        return value, pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


def after_cursor(queryset: QuerySet[Any], field: str, descending: bool, cursor: str | None) -> QuerySet[Any]:
    """Rows after the cursor's (value, id) in (field, id) order, ascending or descending."""
    decoded = decode_cursor(cursor, field) if cursor else None
    if decoded is None:
        return queryset
    value, pk = decoded
    op = "lt" if descending else "gt"
    return queryset.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))


def list_page(
    spec: ListSpec, user: User, params: Mapping[str, str], *, size: int = PAGE_SIZE, custom: ListState | None = None
) -> ListPage:
    """One page; ``custom`` adds the custom-field filters and may sort by a custom field."""
    sort = sort_of(spec, params)
    field = sort.lstrip("-")
    descending = sort.startswith("-")
    queryset = filtered(spec, user, params)
    if custom is not None:
        queryset = custom.apply(queryset)
    queryset = queryset.select_related("owner").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    )
    if spec.model is Contact:
        queryset = queryset.select_related("company")
    if custom is not None and custom.sort is not None:
        custom_rows, custom_cursor = sorted_page(queryset, custom, params.get("after"), size=size)
        return ListPage(rows=custom_rows, next_cursor=custom_cursor, sort=str(custom.sort_param))
    queryset = after_cursor(queryset, field, descending, params.get("after"))
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    rows = list(queryset.order_by(*order)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, field), last.pk)
    return ListPage(rows=rows, next_cursor=next_cursor, sort=sort)
