"""Report sources: the record types the report builder offers, registered by the modules that own
them (from their ``AppConfig.ready()``), so the builder never imports a module's code.

A source names its model, the fields a report may filter, group and measure by (``company.industry``
reaches one link away), which of them are amounts and in which currency field, the records a user
may see, and how its list page takes filters (so a chart's bar opens the matching list). Types and
labels come from the model's own fields, so they are translated like every form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class ListLink:
    """How the source's list page is filtered by a report's cell: its URL name, the query parameter
    each field maps to (equality only; custom fields use the list's ``cf.<key>`` filters), and for
    date fields the pair of inclusive range parameters."""

    url_name: str
    params: Mapping[str, str] = field(default_factory=dict)
    date_ranges: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # Parameters the list page needs to show every record rather than its default selection.
    base: Mapping[str, str] = field(default_factory=dict)
    # The list's key (``ListDefinition.key``) when it is not the source's entity: order lines are
    # no custom-field or workflow entity, yet their list takes a report group (``?cell=``).
    list_key: str | None = None


@dataclass(frozen=True)
class ReportSource:
    key: str
    label: str | Promise
    model: str  # "app_label.Model"
    module: str
    # ``visible(user)``: the records the user may see (the lists' own selector).
    visible: Callable[[Any], QuerySet[Any]]
    # Field paths offered, in the builder's order: own fields, and ``link.field`` one link away.
    fields: tuple[str, ...]
    # The custom-field entity whose definitions add ``custom.<key>`` fields (None: no custom fields).
    entity: str | None = None
    # Amount fields and the path of their currency (converted to the base currency when measured).
    money: Mapping[str, str] = field(default_factory=dict)
    # The user whose record a row is, for a dashboard's owner filter.
    owner_field: str = "owner"
    list_link: ListLink | None = None
    order: int = 100

    def model_class(self) -> type[Model]:
        from django.apps import apps

        return apps.get_model(self.model)


_SOURCES: dict[str, ReportSource] = {}


def register_source(source: ReportSource) -> None:
    if source.key in _SOURCES and _SOURCES[source.key] != source:
        raise ValueError(f"Two report sources are called {source.key!r}")
    _SOURCES[source.key] = source


def registered_sources() -> list[ReportSource]:
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.key))


def source_named(key: str) -> ReportSource | None:
    return _SOURCES.get(key)
