"""The REST side of the entity descriptions: a django-filter FilterSet per entity, the
serializer's field lists and the field descriptions as help texts."""

from __future__ import annotations

from functools import cache
from typing import Any

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from api.entities.base import EntityDescription, Filter, FilterKind
from api.rest.filters import IdFilter, StrictBooleanFilter, StrictFilterSet
from core.input_bounds import bounded_input


def _search(spec: Filter) -> django_filters.CharFilter:
    def apply(queryset: Any, _name: str, value: str) -> Any:
        return spec.apply(queryset, value)

    return django_filters.CharFilter(method=apply, help_text=spec.description)


def rest_filter(spec: Filter) -> django_filters.Filter:
    """The query parameter of one filter, comparing like the description's ``Filter.apply``."""
    if spec.kind == FilterKind.SEARCH:
        return _search(spec)
    common: dict[str, Any] = {"help_text": spec.description}
    if spec.kind in (FilterKind.DATETIME, FilterKind.DATE):
        common["validators"] = [bounded_input]  # years and offsets the database can compare (core.input_bounds)
    if spec.kind == FilterKind.CHOICE and spec.choices is not None:
        return django_filters.ChoiceFilter(field_name=spec.column, choices=spec.choices.choices, **common)
    classes: dict[FilterKind, type[django_filters.Filter]] = {
        FilterKind.RELATION: IdFilter,
        FilterKind.NUMBER_ID: IdFilter,
        FilterKind.TEXT: django_filters.CharFilter,
        FilterKind.DATETIME: django_filters.IsoDateTimeFilter,
        FilterKind.DATE: django_filters.DateFilter,
        FilterKind.BOOLEAN: StrictBooleanFilter,
    }
    return classes[spec.kind](field_name=spec.column, lookup_expr=spec.lookup, distinct=spec.distinct, **common)


@cache
def filterset_for(description: EntityDescription) -> type[django_filters.FilterSet]:
    """``<Model>Filter`` with one parameter per described filter."""
    model = description.model
    attrs: dict[str, Any] = {spec.name: rest_filter(spec) for spec in description.filters}
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}Filter", (StrictFilterSet,), attrs)


def serializer_fields(description: EntityDescription, *extra: str) -> list[str]:
    """The serializer's ``Meta.fields``: the described fields, ``custom`` when the entity has custom
    fields, then ``extra`` (write-only inputs such as ``allow_duplicate``)."""
    names = description.field_names
    if description.custom_entity:
        names = [*names, "custom"]
    return [*names, *extra]


def ordering_parameter(description: EntityDescription) -> OpenApiParameter:
    """The documented ``?ordering=`` of a list: the described orderings, ``-`` for descending."""
    return OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="Sort by a field (- for descending), ties by id.",
        enum=[value for item in description.orderings for value in (item.name, f"-{item.name}")],
    )
