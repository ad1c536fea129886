"""What a record type declares to get a list: columns, filters, sorts and the services its bulk
actions call. Modules build a ``ListDefinition`` and pass it to ``modules.lists.views``; modules
that act on other modules' records (activities) register bulk actions here instead of being
imported."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.db.models.manager import BaseManager
from django.urls import reverse
from django.utils.functional import Promise

from identity.models import User

Label = str | Promise


@dataclass(frozen=True)
class Column:
    """A column of the table. ``value`` is an attribute path (``owner.display_name``) or a function
    of the row; the cell template gets ``row`` and ``cell`` (``value``, ``url``)."""

    key: str
    label: Label
    template: str = "lists/cells/text.html"
    value: str | Callable[[Any], Any] | None = None
    url: Callable[[Any], str] | None = None
    sort: str | None = None  # the sort key this header toggles
    default: bool = True  # shown until the user chooses columns
    phone: bool = False  # also shown below the md breakpoint
    numeric: bool = False
    prefetch: str | None = None  # what the cell reads, prefetched only while the column shows
    # The field of the record type's inline registry that this cell edits in place (for users with
    # the change permission; ``modules/lists/inline.py``), shown by ``inline_template``.
    inline: str | None = None
    inline_template: str = "lists/cells/inline.html"
    # The cell's value in an export (CSV, XLSX) when it differs from ``value`` (a cell that renders
    # the whole row); records are written by name, under the link rule.
    export: Callable[[Any], Any] | None = None

    def value_of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value: Any = row
        for part in (self.value or self.key).split("."):
            value = getattr(value, part, None)
            if callable(value) and not isinstance(value, QuerySet | BaseManager):
                value = value()
            if value is None:
                return None
        return value


@dataclass(frozen=True)
class Filter:
    """A filter control above the list; ``options(user)`` gives a select's (value, label) pairs,
    without it the control is a search box. The definition's ``apply_filters`` does the filtering."""

    key: str
    label: Label
    options: Callable[[User], Iterable[tuple[Any, Label]]] | None = None
    any_label: Label | None = None
    placeholder: Label | None = None
    input_type: str = "search"  # without options: "search", "date" or "localdate" (the reader's format)


@dataclass(frozen=True)
class BulkAction:
    """One thing the bulk bar can do to every selected row.

    ``fields(definition, user)`` gives the form fields it needs (named uniquely across actions, or
    shared with the same meaning, like ``tag``); ``run(definition, row, data, user)`` changes one
    row through the record type's service, raising ValidationError to refuse it. ``permission`` is
    "change" or "delete", read from the definition's permission codes."""

    key: str
    label: Label
    run: Callable[[ListDefinition, Any, Mapping[str, Any], User], object]
    fields: Callable[[ListDefinition, User], dict[str, forms.Field]] = lambda definition, user: {}
    permission: str = "change"
    applies_to: Callable[[ListDefinition], bool] = lambda definition: True
    danger: bool = False
    group: Label | None = None


@dataclass(frozen=True)
class ListDefinition:
    key: str  # the saved-view entity and the custom-field entity
    title: Label
    namespace: str  # URL names are <namespace>:<prefix>-list, -bulk, -view-save, -view-delete
    prefix: str
    module_permission: str  # e.g. "contacts" → contacts.view / .change / .delete
    rows: Callable[[User], QuerySet[Any]]  # visible rows, with what the cells read joined
    apply_filters: Callable[[QuerySet[Any], Mapping[str, str], User], QuerySet[Any]]
    columns: tuple[Column, ...]
    sorts: Mapping[str, str]  # sort key → ORM path; "-key" sorts descending
    default_sort: str
    filters: tuple[Filter, ...] = ()
    hidden_filters: tuple[str, ...] = ()  # accepted from links (e.g. company=) without a control
    custom_fields: bool = True
    update: Callable[..., Any] | None = None  # update(row, *, by, **changes)
    delete: Callable[..., Any] | None = None  # delete(row, *, by)
    owner_field: str | None = "owner"
    has_tags: bool = False
    activity_link: str | None = None  # the Activity field pointing at this record type
    edit_fields: tuple[tuple[str, Label, Callable[[User], forms.Field]], ...] = ()
    actions: tuple[BulkAction, ...] = ()  # record-type specific actions (a deal's stage move)
    toolbar: str | None = None  # template of the page's own buttons (new, import, export)
    empty_text: Label | None = None
    save_view_args: tuple[str, ...] = ()
    url_names: Mapping[str, str] = field(default_factory=dict)  # overrides, e.g. {"view-save": "x:y"}
    # Arguments every URL of the list starts with: a list of one parent's rows (a form's
    # submissions) is declared once and bound to its parent per request with ``replace``.
    url_args: tuple[Any, ...] = ()
    rows_name: str | None = None  # the rows also under this context name (e.g. "products")
    change_code: str | None = None  # permission codes when not <module_permission>.change / .delete
    delete_code: str | None = None
    # The page offers CSV and XLSX exports of the filtered list (``data.export``): its module
    # registers the list's export (``modules.dataio.exports.list_sources``).
    exportable: bool = False

    @property
    def view_permission(self) -> str:
        return f"{self.module_permission}.view"

    @property
    def change_permission(self) -> str:
        return self.change_code or f"{self.module_permission}.change"

    @property
    def delete_permission(self) -> str:
        return self.delete_code or f"{self.module_permission}.delete"

    def url(self, name: str, *args: Any) -> str:
        if name == "view-save":
            args = (*self.save_view_args, *args)
        return reverse(self.url_names.get(name, f"{self.namespace}:{self.prefix}-{name}"), args=(*self.url_args, *args))

    @property
    def filter_keys(self) -> tuple[str, ...]:
        return (*(control.key for control in self.filters), *self.hidden_filters)

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)


# Bulk actions other modules contribute to every list they apply to (activities adds "create an
# activity for each"); registered from their AppConfig.ready().
_REGISTERED_ACTIONS: list[BulkAction] = []


def register_bulk_action(action: BulkAction) -> None:
    if all(existing.key != action.key for existing in _REGISTERED_ACTIONS):
        _REGISTERED_ACTIONS.append(action)


def registered_actions() -> tuple[BulkAction, ...]:
    return tuple(_REGISTERED_ACTIONS)


@dataclass(frozen=True)
class Narrowing:
    """A query parameter that narrows any list to a set of records another module worked out (a
    report's group: ``?cell=<signed token>``), registered from that module's AppConfig.ready() so
    the lists never import it. ``narrow(list_key, value, user)`` returns the ids (a queryset of
    ``pk``) and the chip's label, raises ValidationError naming the parameter for a value it cannot
    read and PermissionDenied when the user may not use it."""

    param: str
    narrow: Callable[[str, str, User], tuple[QuerySet[Any], Label]]


_NARROWINGS: dict[str, Narrowing] = {}


def register_narrowing(narrowing: Narrowing) -> None:
    _NARROWINGS[narrowing.param] = narrowing


def registered_narrowings() -> tuple[Narrowing, ...]:
    return tuple(_NARROWINGS.values())


@dataclass
class Cell:
    column: Column
    value: Any
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    inline: str | None = None  # the inline field this cell edits (None: plain)
    shown: Any = None  # its value formatted for the inline tag (``Shown``), so it costs no query


@dataclass(frozen=True)
class ListExtension:
    """Columns, sorts and filters a module adds to lists of other modules' records (the marketing
    score on the contact and lead lists), registered from its AppConfig.ready() so the list's
    own module never imports it. ``available(user)`` says whether the reader gets them (the
    module in the tenant's plan, the user's permission); ``apply_filters`` reads the extension's
    filter keys like a definition's does."""

    key: str
    list_keys: tuple[str, ...]
    available: Callable[[User], bool]
    columns: tuple[Column, ...] = ()
    sorts: Mapping[str, str] = field(default_factory=dict)
    filters: tuple[Filter, ...] = ()
    apply_filters: Callable[[QuerySet[Any], Mapping[str, str], User], QuerySet[Any]] | None = None
    hidden_filters: tuple[str, ...] = ()  # accepted from links without a control, as a definition's


_EXTENSIONS: dict[str, ListExtension] = {}


def register_list_extension(extension: ListExtension) -> None:
    _EXTENSIONS[extension.key] = extension


def apply_extension_filters(
    list_key: str, queryset: QuerySet[Any], params: Mapping[str, str], user: User
) -> QuerySet[Any]:
    """``queryset`` narrowed by the filters of the extensions of ``list_key`` the user gets, for a
    reader of the list's parameters not built from its definition (the record exports)."""
    for extension in _EXTENSIONS.values():
        if list_key in extension.list_keys and extension.apply_filters is not None and extension.available(user):
            queryset = extension.apply_filters(queryset, params, user)
    return queryset


def extended(definition: ListDefinition, user: User) -> ListDefinition:
    """``definition`` with the registered extensions the user gets (itself when none applies)."""
    extensions = [e for e in _EXTENSIONS.values() if definition.key in e.list_keys and e.available(user)]
    if not extensions:
        return definition
    base_filters = definition.apply_filters

    def apply_filters(queryset: QuerySet[Any], params: Mapping[str, str], reader: User) -> QuerySet[Any]:
        queryset = base_filters(queryset, params, reader)
        for extension in extensions:
            if extension.apply_filters is not None:
                queryset = extension.apply_filters(queryset, params, reader)
        return queryset

    return replace(
        definition,
        columns=(*definition.columns, *(column for e in extensions for column in e.columns)),
        sorts={**definition.sorts, **{key: path for e in extensions for key, path in e.sorts.items()}},
        filters=(*definition.filters, *(control for e in extensions for control in e.filters)),
        hidden_filters=(*definition.hidden_filters, *(key for e in extensions for key in e.hidden_filters)),
        apply_filters=apply_filters,
    )
