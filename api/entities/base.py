"""What an entity description holds: its model and module, the fields it exposes, the filters and
orderings its lists take and the services that write it. Both protocols are generated from it
(``api.entities.rest`` and ``api.entities.graphql``), so REST and GraphQL cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import QuerySet


class FilterKind(StrEnum):
    """How a filter's value is read; the lookup on the model is the filter's ``field`` + ``lookup``."""

    SEARCH = "search"  # words of the record: full text, similar name or a part of it
    RELATION = "relation"  # a related record by id (REST: the number; GraphQL: its global id)
    NUMBER_ID = "number_id"  # a related row without a global id (a team): its number on both protocols
    CHOICE = "choice"  # one of a TextChoices' values (GraphQL: the enum)
    TEXT = "text"
    DATETIME = "datetime"  # ISO 8601 with offset
    DATE = "date"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Field:
    """A field of the record as both protocols show it (GraphQL camelCases the name).

    ``select`` / ``prefetch`` name the relations reading it needs, so a client asking for fewer
    fields loads fewer relations.
    """

    name: str
    writable: bool = False
    description: str = ""
    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filter:
    """A list filter: REST ``?<name>=``, GraphQL argument ``<name>`` (camelCased)."""

    name: str
    kind: FilterKind
    field: str = ""  # model field (path) compared; the name field for SEARCH
    lookup: str = "exact"
    description: str = ""
    choices: type[models.TextChoices] | None = None  # CHOICE
    target: str = ""  # RELATION: the GraphQL type the id names (User, Company, …)
    distinct: bool = False  # across a many-to-many (tags): one row per record

    @property
    def column(self) -> str:
        """The model field (path) the value is compared with."""
        return f"{self.field}_id" if self.kind in (FilterKind.RELATION, FilterKind.NUMBER_ID) else self.field

    @property
    def path(self) -> str:
        """The ORM lookup the value is compared with."""
        return self.column if self.lookup == "exact" else f"{self.column}__{self.lookup}"

    def apply(self, queryset: QuerySet[Any], value: Any) -> QuerySet[Any]:
        """``queryset`` narrowed by an already parsed value (both protocols call this)."""
        if self.kind == FilterKind.SEARCH:
            from modules.contacts.selectors.lists import text_match

            return text_match(queryset, self.field, value, substring=True)
        if isinstance(value, str):
            value = value.strip()
        queryset = queryset.filter(**{self.path: value})
        return queryset.distinct() if self.distinct else queryset


@dataclass(frozen=True)
class Ordering:
    """A sort a list offers: REST ``?ordering=[-]<name>``, GraphQL ``orderBy: <NAME>[_DESC]``.
    Rows with the same value keep id order; empty values come last either way."""

    name: str
    field: str = ""

    @property
    def column(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class EntityDescription:
    """One record type, described once for REST and GraphQL.

    ``module`` gives the permissions (``<module>.view/change/delete``) and the plan check;
    ``custom_entity`` the custom fields (a ``customization.fields.choices.Entity``); ``owner_field``
    the user whose records visibility follows; ``timeline`` the TimelineEntry link (REST
    ``<id>/timeline/``, GraphQL ``timeline``) or "". The services are called with ``by=`` the user.
    A record type without services (``create`` None) is read only: records that arrive from
    elsewhere (a visitor's form submission), listed and read but not written through the APIs.
    ``rest_resource`` is the REST path segment when it differs from ``resource`` (older paths with
    hyphens; GraphQL names cannot hold them).
    """

    name: str
    resource: str  # REST ``/api/v1/<resource>/``, GraphQL root connection ``<resource>``
    model: type[models.Model]
    module: str
    fields: tuple[Field, ...]
    filters: tuple[Filter, ...]
    orderings: tuple[Ordering, ...]
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    custom_entity: str = ""
    owner_field: str = "owner"
    timeline: str = ""
    graphql_type: str = ""
    rest_resource: str = ""
    _by_name: dict[str, Field] = dataclass_field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({item.name: item for item in self.fields})

    @property
    def rest_path(self) -> str:
        """The REST list's path segment: ``/api/v1/<rest_path>/``."""
        return self.rest_resource or self.resource

    @property
    def read_only_records(self) -> bool:
        """No API writes this record type (it has no services)."""
        return self.create is None

    @property
    def created_only(self) -> bool:
        """Records created and deleted, never changed (an address on the suppression list, a score
        threshold): no update, so no bulk route, and GraphQL creates them from arguments."""
        return self.create is not None and self.update is None

    def permission(self, action: str) -> str:
        return f"{self.module}.{action}"

    @property
    def field_names(self) -> list[str]:
        return [item.name for item in self.fields]

    @property
    def read_only_names(self) -> list[str]:
        return [item.name for item in self.fields if not item.writable]

    @property
    def writable_names(self) -> list[str]:
        return [item.name for item in self.fields if item.writable]

    def described_field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def queryset(self, names: Iterable[str] | None = None) -> QuerySet[Any]:
        """The model's rows in id order with the relations the named fields need (all by default)."""
        chosen = self.fields if names is None else [self._by_name[name] for name in names if name in self._by_name]
        select = sorted({relation for item in chosen for relation in item.select})
        prefetch = sorted({relation for item in chosen for relation in item.prefetch})
        queryset = self.model._default_manager.order_by("id")
        if select:
            queryset = queryset.select_related(*select)
        if prefetch:
            queryset = queryset.prefetch_related(*prefetch)
        return queryset


def writable(name: str, description: str = "", **kwargs: Any) -> Field:
    return Field(name, writable=True, description=description, **kwargs)


def relation(name: str, description: str = "", *, read_only: bool = False, separate: bool = False) -> Field:
    """A foreign key shown as a small object and written by id.

    Joined into the record's query, or with ``separate`` loaded by one more query for the whole
    page: PostgreSQL's planning time grows steeply with each outer join (a deal joined to seven
    relations took ~40-100 ms to plan and under 1 ms to run), so a record with many relations loads
    some of them apart. A page with no such link costs no query for it."""
    if separate:
        return Field(name, writable=not read_only, description=description, prefetch=(name,))
    return Field(name, writable=not read_only, description=description, select=(name,))


def read_only(*names: str) -> tuple[Field, ...]:
    return tuple(Field(name) for name in names)


def writable_fields(*names: str) -> tuple[Field, ...]:
    return tuple(Field(name, writable=True) for name in names)


TIMESTAMPS = read_only("created_at", "updated_at")
ID = Field("id")
TAGS = Field(
    "tags",
    writable=True,
    description="The record's tags; written as names (new names create tags).",
    prefetch=("tags",),
)


def by_id(name: str, target: str, description: str = "", *, field: str = "") -> Filter:
    return Filter(name, FilterKind.RELATION, field=field or name, target=target, description=description)


def choice(name: str, choices: type[models.TextChoices], description: str = "") -> Filter:
    return Filter(name, FilterKind.CHOICE, field=name, choices=choices, description=description)


def search(name_field: str, description: str) -> Filter:
    return Filter("search", FilterKind.SEARCH, field=name_field, description=description)


TAG = Filter(
    "tag",
    FilterKind.TEXT,
    field="tags__name",
    lookup="iexact",
    distinct=True,
    description="Records carrying the tag of that name (any case).",
)
UPDATED_AFTER = Filter(
    "updated_after",
    FilterKind.DATETIME,
    field="updated_at",
    lookup="gte",
    description="Changed at or after this time (ISO 8601).",
)


def text_exact(name: str, description: str) -> Filter:
    return Filter(name, FilterKind.TEXT, field=name, lookup="iexact", description=description)


def orderings(*names: str) -> tuple[Ordering, ...]:
    return tuple(Ordering(name) for name in names)
