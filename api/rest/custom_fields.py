"""Custom fields on the CRM record endpoints: the ``custom`` object of a record, the
``?custom.<key>=`` / ``?custom.<key>.<op>=`` filters and ``?ordering=custom.<key>`` with cursor pages.

Values are validated by the record services (``customization.fields.validation``); filters and
sorting are built by ``customization.fields.queries``, so REST behaves like the pages and GraphQL.
A request loads the tenant's active definitions of an entity once, whatever the page size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import Cursor
from rest_framework.request import Request

from api.entities.links import api_access
from api.rest.records import OrderingCursorPagination, RecordViewSet
from core.input_bounds import value_problem
from customization.fields.cache import cached_definitions
from customization.fields.choices import FieldType
from customization.fields.entities import entity_model, entity_of
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import after_position, filter_by_custom, position_of, read_position, sort_expression
from customization.fields.validation import definitions_for

PREFIX = "custom."
SORT_ALIAS = "_custom_sort"
UNKNOWN_FIELD = _("There is no custom field with this key.")


def active_definitions(request: Request | None, entity: str) -> list[CustomFieldDefinition]:
    """The entity's active definitions in position order, loaded once per request."""
    if request is None:
        return definitions_for(entity)
    loaded: dict[str, list[CustomFieldDefinition]] | None = getattr(request, "_custom_definitions", None)
    if loaded is None:
        loaded = {}
        request._custom_definitions = loaded  # type: ignore[attr-defined]
    if entity not in loaded:
        # Per process while the tenant's definitions are unchanged (customization.fields.cache).
        loaded[entity] = cached_definitions(entity)
    return loaded[entity]


def view_entity(view: Any) -> str:
    """The entity whose records a view lists (from its serializer's model)."""
    return entity_of(view.get_serializer_class().Meta.model)


class CustomValuesField(serializers.Field):  # type: ignore[type-arg]
    """A record's custom values as ``{key: value}``: every active field's key, its stored JSON value
    or null. Writing takes ``{key: raw}`` (a partial change on update; null or empty clears) and the
    record service validates it, naming ``custom.<key>`` in its errors."""

    default_error_messages = {"not_an_object": _("Give custom fields as an object of key: value.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    @property
    def entity(self) -> str:
        return entity_of(cast(Any, self.parent).Meta.model)

    def definitions(self) -> list[CustomFieldDefinition]:
        return active_definitions(self.context.get("request"), self.entity)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.fail("not_an_object")
        return dict(data)

    def to_representation(self, value: Any) -> dict[str, Any]:
        stored = value or {}
        fieldset = self.context.get("fieldset")
        keys = None if fieldset is None else fieldset.custom_keys
        return {
            definition.key: self.shown(definition, stored.get(definition.key))
            for definition in self.definitions()
            if keys is None or definition.key in keys
        }

    def shown(self, definition: CustomFieldDefinition, value: Any) -> Any:
        """A reference to a record the caller may not see reads as null, like every link."""
        if definition.field_type != FieldType.REFERENCE or not isinstance(value, int) or isinstance(value, bool):
            return value
        request = self.context.get("request")
        if request is None:
            return value
        rows = self.root.instance if isinstance(self.root.instance, list | tuple) else [self.root.instance]
        return value if visible_references(request, definition, rows, value) else None


def visible_references(request: Request, definition: CustomFieldDefinition, rows: Iterable[Any], pk: int) -> bool:
    """Whether the record ``pk`` that a reference field holds may be shown; the references of every
    row being serialized are checked together (one query per field and request)."""
    checked: dict[tuple[str, int], bool] = request.__dict__.setdefault("_custom_references_shown", {})
    if (definition.key, pk) not in checked:
        pks = {pk} | {
            value
            for row in rows
            if isinstance(value := (getattr(row, "custom", None) or {}).get(definition.key), int)
            and (definition.key, value) not in checked
        }
        access = api_access(request)
        model = entity_model(definition.reference_entity)
        found = model._default_manager.filter(pk__in=pks) if access.may_use(model) else model._default_manager.none()
        shown = {record.pk for record in found if access.may_see(record)}
        checked.update({(definition.key, value): value in shown for value in pks})
    return checked[(definition.key, pk)]


def parse_custom_param(name: str) -> tuple[str, str] | None:
    """``custom.<key>`` → (key, "eq"), ``custom.<key>.<op>`` → (key, op); None for other names."""
    if not name.startswith(PREFIX):
        return None
    key, _dot, op = name[len(PREFIX) :].partition(".")
    return key, op or "eq"


class CustomFieldFilterBackend(BaseFilterBackend):
    """``?custom.<key>=value`` (equals; for a multi-select: has the option) and
    ``?custom.<key>.<op>=value`` with the operators the field's type supports (eq, ne, isnull,
    gt, gte, lt, lte, contains). Several parameters combine with AND. An unknown key, operator or a
    value the type refuses is a 400 naming the parameter."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        names = [name for name in request.query_params if parse_custom_param(name) is not None]
        if not names:
            return queryset
        by_key = {definition.key: definition for definition in active_definitions(request, view_entity(view))}
        for name in names:
            key, op = parse_custom_param(name)  # type: ignore[misc]
            definition = by_key.get(key)
            if definition is None:
                raise exceptions.ValidationError({name: [UNKNOWN_FIELD]})
            for raw in request.query_params.getlist(name):
                queryset = filter_by_custom(queryset, definition, op, raw, param=name)
        return queryset


class CustomOrderingCursorPagination(OrderingCursorPagination):
    """``ordering=`` one of the view's ``ordering_fields`` or ``custom.<key>`` (``-`` for
    descending): by that value (custom numbers and money by amount numerically), empty values
    last in both directions, ties by id. Those pages are keyset pages whose cursor carries the
    last row's value and id, so rows sharing a value are neither skipped nor repeated. Without
    ``ordering``, id order."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        value = request.query_params.get("ordering", "").strip()
        name = value.lstrip("-")
        self.keyset: tuple[Any, Callable[[Any], tuple[Any, int] | None], bool] | None = None
        if name.startswith(PREFIX):
            key = name[len(PREFIX) :]
            definition = next((d for d in active_definitions(request, view_entity(view)) if d.key == key), None)
            if definition is None:
                raise exceptions.ValidationError({"ordering": [UNKNOWN_FIELD]})
            self.keyset = (sort_expression(definition), partial(read_position, definition), value.startswith("-"))
        elif name and name in getattr(view, "ordering_fields", ()):
            field = queryset.model._meta.get_field(name)
            self.keyset = (F(name), partial(_plain_position, field), value.startswith("-"))
        else:  # id order, or the error naming the orderings
            return super().paginate_queryset(queryset, request, view)
        return self._keyset_page(queryset, request)

    def _keyset_page(self, queryset: QuerySet[Any], request: Request) -> list[Any] | None:
        expression, reader, descending = self.keyset  # type: ignore[misc]
        self.request = request
        size = self.get_page_size(request)
        if not size:
            return None
        self.page_size = size
        self.base_url = request.build_absolute_uri()
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        queryset = queryset.annotate(**{SORT_ALIAS: expression})
        if self.cursor is not None:
            position = self._decode_position(reader, cast(str | None, self.cursor.position))
            condition = _before(*position, descending) if reverse else _after(*position, descending)
            queryset = queryset.filter(condition)
        # Going back walks the reversed order (empty values first), then flips the page.
        backwards = descending != reverse
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        sort = F(SORT_ALIAS).desc(**nulls) if backwards else F(SORT_ALIAS).asc(**nulls)
        rows = list(queryset.order_by(sort, "-id" if backwards else "id")[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        self.has_next = more if not reverse else self.cursor is not None
        self.has_previous = more if reverse else self.cursor is not None
        return self.page

    def _decode_position(
        self, reader: Callable[[Any], tuple[Any, int] | None], position: str | None
    ) -> tuple[Any, int]:
        try:
            decoded = reader(json.loads(position or ""))
        except (TypeError, ValueError):
            decoded = None
        if decoded is None or value_problem(decoded):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return decoded

    def _custom_link(self, row: Any, *, reverse: bool) -> str:
        value = getattr(row, SORT_ALIAS)
        position = json.dumps(position_of(value, row.pk))
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=cast(Any, position)))  # type: ignore[no-any-return]

    def get_next_link(self) -> str | None:
        if getattr(self, "keyset", None) is None:
            return super().get_next_link()  # type: ignore[no-any-return]
        if not self.has_next or not self.page:
            return None
        return self._custom_link(self.page[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if getattr(self, "keyset", None) is None:
            return super().get_previous_link()  # type: ignore[no-any-return]
        if not self.has_previous or not self.page:
            return None
        return self._custom_link(self.page[0], reverse=True)


def _plain_position(field: Any, position: Any) -> tuple[Any, int] | None:
    """A model field's keyset position from a cursor: ``[value as text or None, id]``, read back
    into the column's type; None when the column cannot hold it (core.input_bounds)."""
    if not isinstance(position, list) or len(position) != 2:
        return None
    value, pk = position
    if not isinstance(pk, int) or not (value is None or isinstance(value, str)):
        return None
    try:
        typed = field.to_python(value)
    except ValidationError:
        return None
    return None if value_problem([typed, pk]) else (value, pk)


def _after(value: Any, pk: int, descending: bool) -> Q:
    """Rows after (value, pk) in the order value (asc or desc) with empty values last, then id."""
    return after_position(SORT_ALIAS, value, pk, descending=descending)


def _before(value: Any, pk: int, descending: bool) -> Q:
    """Rows before (value, pk) in that order."""
    ahead, id_ahead = ("gt", "gt") if descending else ("lt", "lt")
    if value is None:
        return Q(**{f"{SORT_ALIAS}__isnull": False}) | Q(**{f"{SORT_ALIAS}__isnull": True, f"id__{id_ahead}": pk})
    return Q(**{f"{SORT_ALIAS}__{ahead}": value}) | Q(**{SORT_ALIAS: value, f"id__{id_ahead}": pk})


class CustomFieldsRecordViewSet(RecordViewSet):
    """A record resource whose entity has custom fields: the custom-field filters beside its
    FilterSet, keyset orderings (also by custom fields) and ``custom.<key>`` in fieldsets."""

    filter_backends = [DjangoFilterBackend, CustomFieldFilterBackend]
    pagination_class = CustomOrderingCursorPagination

    def custom_keys(self) -> list[str]:
        return [definition.key for definition in active_definitions(self.request, self.entity.custom_entity)]
