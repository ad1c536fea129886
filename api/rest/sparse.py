"""Sparse fieldsets: ``?fields=id,name,custom.tier`` on the list and detail of a record resource
answers only those fields. Unrequested relations are not loaded; an unknown name is a 400 naming
``fields``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from api.entities.base import EntityDescription

PARAMETER = "fields"
CUSTOM = "custom"
CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class Fieldset:
    """What a client asked for: record fields, and the custom keys (None: every key)."""

    names: frozenset[str]
    custom_keys: frozenset[str] | None

    def serializer_names(self) -> set[str]:
        return set(self.names) | ({CUSTOM} if self.wants_custom else set())

    @property
    def wants_custom(self) -> bool:
        return self.custom_keys is None or bool(self.custom_keys)


def parse_fieldset(
    request: Request, description: EntityDescription, load_custom_keys: Callable[[], list[str]]
) -> Fieldset | None:
    """The requested fieldset, or None for the full representation. The custom keys are loaded
    only when a ``custom.<key>`` is named."""
    raw = request.query_params.get(PARAMETER)
    if raw is None:
        return None
    requested = [name.strip() for name in raw.split(",") if name.strip()]
    named_custom = any(name.startswith(CUSTOM_PREFIX) for name in requested) and bool(description.custom_entity)
    custom_keys = load_custom_keys() if named_custom else []
    known = set(description.field_names)
    names: set[str] = set()
    keys: set[str] = set()
    whole_custom = False
    unknown: list[str] = []
    for name in requested:
        if name in known:
            names.add(name)
        elif name == CUSTOM and description.custom_entity:
            whole_custom = True
        elif name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX) :] in custom_keys:
            keys.add(name[len(CUSTOM_PREFIX) :])
        else:
            unknown.append(name)
    if unknown or not requested:
        choices = [*description.field_names, *([CUSTOM] if description.custom_entity else [])]
        choices += [f"{CUSTOM_PREFIX}{key}" for key in custom_keys]
        message = _("Unknown fields: %(names)s. Choose from: %(choices)s.") % {
            "names": ", ".join(unknown) or '""',
            "choices": ", ".join(choices),
        }
        raise exceptions.ValidationError({PARAMETER: [message]})
    if whole_custom:
        return Fieldset(frozenset(names), None)
    return Fieldset(frozenset(names), frozenset(keys))


def restrict(fields: dict[str, Any], fieldset: Fieldset | None) -> dict[str, Any]:
    """The serializer's fields limited to the fieldset (all when None), in their order."""
    if fieldset is None:
        return fields
    wanted = fieldset.serializer_names()
    return {name: field for name, field in fields.items() if name in wanted}


def parameter_schema() -> dict[str, Any]:
    """The ``fields`` query parameter as OpenAPI documents it."""
    return {
        "name": PARAMETER,
        "in": "query",
        "required": False,
        "description": _(
            "Comma-separated fields to return (e.g. id,name,custom.tier); custom returns every custom field. "
            "All fields when not given."
        ),
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    }
