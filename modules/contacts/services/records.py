"""The write path every customer-record service shares: set fields, validate, save, write history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.input_bounds import check_fields as check_input_bounds
from customization.events.outbox import emit
from customization.fields.entities import entity_of
from customization.fields.validation import clean_custom_values, definitions_for
from identity.models import User
from identity.services.audit import audit
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import display_value, field_changes, record_entry

M = TypeVar("M", bound=models.Model)


# An audit entry of a deletion names this many records (and says how many there were).
AUDITED_NAMES = 10


def check_fields(model: type[models.Model], values: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})


def validated(instance: M, *, exclude: Iterable[str] = ()) -> M:
    """Refuse values beyond the platform's input bounds (core.input_bounds: control characters,
    dates out of range), then run the model's field and constraint validation; errors name the field."""
    check_input_bounds(instance, exclude=exclude)  # before the uniqueness queries send the values
    instance.full_clean(exclude=[*exclude, "search_vector"], validate_unique=True, validate_constraints=True)
    check_input_bounds(instance, exclude=exclude)  # again on the values full_clean converted from text
    return instance


def new_custom_values(model: type[models.Model], raw: Any) -> dict[str, Any]:
    """The ``custom`` dict of a record being created: ``raw`` validated, defaults filled in."""
    return clean_custom_values(entity_of(model), raw, current=None)


# The field naming who a record belongs to, by entity (``owner`` unless named here).
OWNER_FIELDS = {"activity": "assignee"}


def owner_field(entity: str) -> str:
    return OWNER_FIELDS.get(entity, "owner")


def with_assignee(
    kind: str, instance: models.Model, data: dict[str, Any] | None, *, entity: str | None = None
) -> dict[str, Any]:
    """``data`` plus ``assignee_id`` — the record's owner as the change left it — when the event
    (``kind``) gave the record an owner: its creation, or an update whose ``changes`` name the owner
    field. The event carries it because the owner may change again before it is dispatched, and
    every person a record was given to is told, not only the last. Bulk writers pass the ``entity``
    they know, which spares looking it up per record."""
    data = data or {}
    field = owner_field(entity or entity_of(instance))
    if not hasattr(instance, f"{field}_id"):
        return data
    changes = data.get("changes", [])
    if kind == "created" or (
        kind == "updated" and any(isinstance(change, dict) and change.get("field") == field for change in changes)
    ):
        return {**data, "assignee_id": getattr(instance, f"{field}_id")}
    return data


# The fields tying a record to the contact it concerns (a lead: the contact it became).
CONTACT_LINKS = ("contact", "converted_contact")


def contact_link(model: type[models.Model]) -> str | None:
    """The column of ``model`` naming the contact a record concerns, if it has one."""
    for name in CONTACT_LINKS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.ForeignKey) and field.related_model._meta.label == "contacts.Contact":
            return str(field.attname)
    return None


def with_former_contact(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` plus ``contact_id`` — the contact a deleted record concerned (None: none) — so a
    consumer of the event (segment membership) can re-evaluate that contact once the row is gone."""
    column = contact_link(type(instance))
    if column is None:
        return data
    return {**data, "contact_id": getattr(instance, column)}


def record_event(kind: str, instance: models.Model, *, by: User | None, data: dict[str, Any] | None = None) -> None:
    """Write ``<entity>.<kind>`` to the outbox (caller holds the transaction)."""
    entity = entity_of(instance)
    data = with_assignee(kind, instance, data)
    if kind == "deleted":
        data = with_former_contact(instance, data)
    emit(f"{entity}.{kind}", instance, entity=entity, actor=by, data=data)
    if kind == "deleted":
        audit_deletion(instance._meta, [(instance.pk, str(instance))], by=by)


def audit_deletion(meta: Any, records: list[tuple[Any, str]], *, by: User | None) -> None:
    """One audit entry for records deleted together (by hand, in bulk, by undoing an import)."""
    if not records:
        return
    names = ", ".join(name for _pk, name in records[:AUDITED_NAMES])
    if len(records) > AUDITED_NAMES:
        names += " …"
    label = meta.verbose_name if len(records) == 1 else meta.verbose_name_plural
    summary = ngettext(
        "%(count)d %(kind)s deleted: %(names)s.",
        "%(count)d %(kind)s deleted: %(names)s.",
        len(records),
    ) % {"count": len(records), "kind": label, "names": names}
    audit(
        "record.deleted",
        summary,
        by=by,
        system="records",
        target=f"{meta.model_name}:{records[0][0]}" if len(records) == 1 else meta.model_name,
        details={"model": meta.model_name, "ids": [pk for pk, _name in records[:1000]], "count": len(records)},
    )


def _custom_changes(instance: models.Model, raw: Any) -> list[dict[str, Any]]:
    """Apply ``raw`` custom values to ``instance.custom``; the changes, labelled per field."""
    entity = entity_of(instance)
    definitions = definitions_for(entity, include_archived=True)
    current: dict[str, Any] = dict(instance.custom or {})  # type: ignore[attr-defined]
    updated = clean_custom_values(entity, raw, current=current, instance_pk=instance.pk, definitions=definitions)
    labels = {definition.key: definition.display_label for definition in definitions}
    changes = [
        {
            "field": f"custom.{key}",
            "label": labels.get(key, key),
            "old": display_value(current.get(key)),
            "new": display_value(updated.get(key)),
        }
        for key in sorted(set(current) | set(updated))
        if current.get(key) != updated.get(key)
    ]
    instance.custom = updated  # type: ignore[attr-defined]
    return changes


def apply_update(
    instance: M,
    values: dict[str, Any],
    *,
    by: User | None,
    allowed: Iterable[str],
    timeline_links: dict[str, Any],
    timeline: bool = True,
) -> list[dict[str, Any]]:
    """Set ``values`` on ``instance``, validate and save; record a field-change entry. Caller holds the
    transaction. Returns the changes (empty: nothing was saved). ``timeline=False`` leaves the entry
    to the caller, whose own entry for the same event (a stage move, a status change) lists them."""
    allowed = tuple(allowed)
    tags = values.pop("tags", None) if "tags" in allowed else None
    custom = values.pop("custom", None) if "custom" in allowed else None
    check_fields(type(instance), values, allowed)
    changes = field_changes(instance, values)
    for name, value in values.items():
        setattr(instance, name, value)
    if custom is not None:
        changes.extend(_custom_changes(instance, custom))
    if changes:
        validated(instance)
        instance.save()
    if tags is not None:
        before = sorted(str(tag) for tag in instance.tags.all())  # type: ignore[attr-defined]
        instance.tags.set(tags)  # type: ignore[attr-defined]
        after = sorted(str(tag) for tag in tags)
        if before != after:
            changes.append({"field": "tags", "label": str(_("tags")), "old": before, "new": after})
    if changes and timeline:
        record_entry(TimelineKind.UPDATED, actor=by, data={"changes": changes}, **timeline_links)
        record_event("updated", instance, by=by, data={"changes": changes})
    return changes
