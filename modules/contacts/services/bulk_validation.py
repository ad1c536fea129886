"""Validating one planned row of a bulk write: the entity's own rules, the platform's input bounds
and the model's validation of the fields the row sets, as the single-record services validate.

What depends only on which fields a row sets (the fields left out, whether the model has any
uniqueness to check among the others) is worked out once per set of fields, not once per row:
a batch's rows almost always set the same fields."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models

from core.input_bounds import field_problems

if TYPE_CHECKING:
    from modules.contacts.services.bulk import BulkKind

Errors = dict[str, list[str]]


def error_dict(error: ValidationError) -> Errors:
    if hasattr(error, "error_dict"):
        return {key: [str(message) for message in messages] for key, messages in error.message_dict.items()}
    return {"__all__": [str(message) for message in error.messages]}


@lru_cache(maxsize=256)
def _fields_of(model: type[models.Model], names: frozenset[str]) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """The concrete fields a row leaves alone (by name), and the ones it sets as (name, attname)."""
    fields = model._meta.concrete_fields
    return (
        frozenset(f.name for f in fields if f.name not in names),
        tuple((f.name, f.attname) for f in fields if f.name in names),
    )


# Whether ``validate_unique`` has anything to check among the fields a row sets (it queries per
# row), by model and the fields left out: what it checks depends on nothing else.
_UNIQUE_CHECKS: dict[tuple[type[models.Model], frozenset[str]], bool] = {}


def _has_unique_checks(instance: models.Model, unset: frozenset[str]) -> bool:
    key = (type(instance), unset)
    if key not in _UNIQUE_CHECKS:
        unique, dates = instance._get_unique_checks(exclude=set(unset))  # type: ignore[attr-defined]
        _UNIQUE_CHECKS[key] = bool(unique or dates)
    return _UNIQUE_CHECKS[key]


def validate_row(kind: BulkKind, instance: models.Model, creating: bool, names: Iterable[str]) -> Errors:
    """The entity's own rules and the model's validation of the fields the row set (the others
    hold their defaults or stored values, valid already)."""
    unset, given = _fields_of(kind.model, frozenset(names) - frozenset(kind.relations))
    errors: Errors = {}
    try:
        kind.check(instance, creating)
    except ValidationError as error:
        errors.update(error_dict(error))
    bounds = field_problems(instance, exclude=unset)  # before full_clean sends the values to the database
    if bounds:
        return {**errors, **bounds}
    before = {attname: instance.__dict__.get(attname) for _name, attname in given}
    try:
        instance.full_clean(
            exclude=unset,
            validate_unique=_has_unique_checks(instance, unset),
            validate_constraints=kind.validate_constraints,
        )
    except ValidationError as error:
        for key, messages in error_dict(error).items():
            errors.setdefault(key, []).extend(messages)
    # Again on the values full_clean converted from text (a date from "2026-01-31"); a value it
    # left as it was passed the bounds above already.
    converted = {name for name, attname in given if instance.__dict__.get(attname) is not before[attname]}
    if not converted:
        return errors
    others = frozenset(f.name for f in kind.model._meta.concrete_fields if f.name not in converted)
    return {**field_problems(instance, exclude=others), **errors}
