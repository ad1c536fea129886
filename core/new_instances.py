"""New model instances for bulk paths, built as ``Model(**values)`` builds them at a fraction of
the cost: Django's keyword path resolves every field by name and sets each related object
through its descriptor (a router check per relation); the positional path it uses for rows read
from the database takes the values in field order. The result is the same instance: the values
given, every other field's default, related objects cached as the descriptor caches them, and
the ``pre_init``/``post_init`` signals sent."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.db.models.base import DEFERRED


@cache
def _names(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if not f.generated)


def new_instance(model: type[models.Model], values: dict[str, Any]) -> Any:
    """``model(**values)``, where ``values`` are by field name (related objects as instances).
    Anything else — a property, an attribute name, a related value of the wrong type — goes
    through ``model(**values)`` itself, so it is set, or refused, exactly as there."""
    if not values.keys() <= _names(model):
        return model(**values)
    args: list[Any] = []
    related: list[tuple[Any, Any]] = []
    for field in model._meta.concrete_fields:
        if field.generated:
            args.append(DEFERRED)
        elif field.name not in values:
            args.append(field.get_default())
        elif field.is_relation:
            target = values[field.name]
            if field.one_to_one or (target is not None and not isinstance(target, field.related_model)):  # type: ignore[arg-type]
                return model(**values)  # (a one-to-one's descriptor also caches the reverse side)
            related.append((field, target))
            args.append(None if target is None else getattr(target, field.target_field.attname))  # type: ignore[attr-defined]
        else:
            args.append(values[field.name])
    instance = model(*args)
    for field, target in related:
        field.set_cached_value(instance, target)
    return instance
