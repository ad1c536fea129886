"""The write path every customer-record service shares: set fields, validate, save, write history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import field_changes, record_entry

M = TypeVar("M", bound=models.Model)


def check_fields(model: type[models.Model], values: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})


def validated(instance: M, *, exclude: Iterable[str] = ()) -> M:
    """Run the model's field and constraint validation; errors name the field."""
    instance.full_clean(exclude=[*exclude, "search_vector"], validate_unique=True, validate_constraints=True)
    return instance


def apply_update(
    instance: M, values: dict[str, Any], *, by: User | None, allowed: Iterable[str], timeline_links: dict[str, Any]
) -> list[dict[str, Any]]:
    """Set ``values`` on ``instance``, validate and save; record a field-change entry. Caller holds the
    transaction. Returns the changes (empty: nothing was saved)."""
    allowed = tuple(allowed)
    tags = values.pop("tags", None) if "tags" in allowed else None
    check_fields(type(instance), values, allowed)
    changes = field_changes(instance, values)
    for name, value in values.items():
        setattr(instance, name, value)
    if changes:
        validated(instance)
        instance.save()
    if tags is not None:
        before = sorted(str(tag) for tag in instance.tags.all())  # type: ignore[attr-defined]
        instance.tags.set(tags)  # type: ignore[attr-defined]
        after = sorted(str(tag) for tag in tags)
        if before != after:
            changes.append({"field": "tags", "label": str(_("tags")), "old": before, "new": after})
    if changes:
        record_entry(TimelineKind.UPDATED, actor=by, data={"changes": changes}, **timeline_links)
    return changes
