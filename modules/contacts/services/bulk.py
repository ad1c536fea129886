"""Bulk writes of customer records for imports: the rules of the single-record services, applied to
many rows at once and written in a few statements per batch.

A caller first *plans* a batch (``plan_companies``, ``plan_contacts``; sales has leads and deals):
every row is validated exactly as ``create_*`` / ``update_*`` would (field checks, the model's own
validation, the one custom-field validator, the entity's own rules), and nothing is written. Then
``write_plan`` saves the valid rows in the caller's transaction: one COPY per table for the new
ones (``core.bulk_copy.copy_create``), one set-based UPDATE per batch for the changed ones
(``copy_update``), the timeline entries and one outbox event per record (``emit_many``).

Relations (owner, company, …) come resolved by the caller, already restricted to what the user may
see, so the per-row foreign-key queries of ``full_clean`` are skipped for them. Duplicate detection
by similar name is the caller's choice (imports match by e-mail or name in bulk instead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk_copy import copy_create, copy_rows, copy_update
from core.new_instances import new_instance
from customization.events.outbox import emit_many
from customization.fields.entities import entity_of
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import clean_custom_values, definitions_for
from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact, Tag, TimelineEntry, join_name
from modules.contacts.services.bulk_validation import Errors, error_dict, validate_row
from modules.contacts.services.companies import COMPANY_FIELDS
from modules.contacts.services.contacts import CONTACT_FIELDS
from modules.contacts.services.contacts import _require_a_name as require_contact_name
from modules.contacts.services.records import audit_deletion, check_fields, contact_link, with_assignee
from modules.contacts.services.tags import tags_from_names
from modules.contacts.services.timeline import display_value, field_changes


@dataclass
class BulkRow:
    """One row to write: ``values`` as the create/update service takes them (tags as names, custom
    as raw values by key); ``match`` is the existing record to update instead of creating one."""

    number: int
    values: dict[str, Any]
    match: models.Model | None = None


@dataclass
class Planned:
    """A validated row: a new record (``created``) or an existing one with its ``changes`` and the
    ``previous`` stored values of what changed (by attribute name, JSON-safe), for undo."""

    number: int
    instance: Any
    created: bool
    tags: list[Tag] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    previous: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkKind:
    """What differs between record types: their fields, relations, own rules and history links."""

    model: type[models.Model]
    creatable: tuple[str, ...]
    updatable: tuple[str, ...]
    relations: tuple[str, ...]
    links: Callable[[Any], dict[str, Any]]
    check: Callable[[Any, bool], None] = lambda instance, creating: None
    created_data: Callable[[Any], dict[str, Any]] = lambda instance: {}
    timeline_data: Callable[[Any], dict[str, Any]] = lambda instance: {}
    after_create: Callable[[list[Any], User | None], None] | None = None
    # Deals' check constraints restate their field validators; checking them costs a query per row.
    validate_constraints: bool = True
    # Columns kept in step with others (contacts' and leads' full_name): saved with every update.
    derive: Callable[[Any], None] = lambda instance: None
    derived: tuple[str, ...] = ()
    # The timeline entry a created record gets (orders tell their own story: "order placed").
    timeline_kind: str = TimelineKind.CREATED


@dataclass
class BulkPlan:
    kind: BulkKind
    planned: list[Planned] = field(default_factory=list)
    errors: dict[int, Errors] = field(default_factory=dict)

    @property
    def created(self) -> list[Planned]:
        return [row for row in self.planned if row.created]

    @property
    def updated(self) -> list[Planned]:
        return [row for row in self.planned if not row.created and row.changes]


def stored_value(instance: models.Model, name: str) -> Any:
    """A field's stored value (foreign keys as ids), JSON-safe."""
    value = instance._meta.get_field(name).value_from_object(instance)  # type: ignore[union-attr]
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return DjangoJSONEncoder().default(value)


def tags_by_name(names: Iterable[str]) -> tuple[dict[str, Tag], dict[str, Errors]]:
    """Tags by lower-cased name: existing ones in one query, missing ones created by the tag
    service (which refuses bad names: those come back as errors by name)."""
    wanted = {" ".join(name.split()).lower(): " ".join(name.split()) for name in names if name.strip()}
    found: dict[str, Tag] = {
        tag.name.lower(): tag for tag in Tag.objects.annotate(lower=Lower("name")).filter(lower__in=wanted)
    }
    refused: dict[str, Errors] = {}
    for lower, name in wanted.items():
        if lower not in found:
            try:
                found[lower] = tags_from_names([name])[0]
            except ValidationError as error:
                refused[lower] = error_dict(error)
    return found, refused


def _custom_changes(
    current: dict[str, Any], updated: dict[str, Any], definitions: list[CustomFieldDefinition]
) -> list[dict[str, Any]]:
    labels = {definition.key: definition.display_label for definition in definitions}
    return [
        {
            "field": f"custom.{key}",
            "label": labels.get(key, key),
            "old": display_value(current.get(key)),
            "new": display_value(updated.get(key)),
        }
        for key in sorted(set(current) | set(updated))
        if current.get(key) != updated.get(key)
    ]


def _plan_new(
    kind: BulkKind, row: BulkRow, by: User | None, definitions: list[CustomFieldDefinition], entity: str
) -> Planned:
    values = dict(row.values)
    values.pop("tags", None)
    custom = values.pop("custom", None)
    check_fields(kind.model, values, kind.creatable)
    values.setdefault("owner", by)
    errors: Errors = {}
    try:
        custom_values = clean_custom_values(entity, custom, current=None, definitions=definitions)
    except ValidationError as error:
        errors.update(error_dict(error))
        custom_values = {}
    instance = new_instance(kind.model, {"created_by": by, "custom": custom_values, **values})
    errors.update({k: v for k, v in validate_row(kind, instance, True, values).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    return Planned(number=row.number, instance=instance, created=True)


def _plan_update(kind: BulkKind, row: BulkRow, definitions: list[CustomFieldDefinition], entity: str) -> Planned:
    instance: Any = row.match
    values = dict(row.values)
    values.pop("tags", None)
    custom = values.pop("custom", None)
    check_fields(kind.model, values, kind.updatable)
    changes = field_changes(instance, values)
    changed = {change["field"] for change in changes}
    previous = {name: stored_value(instance, name) for name in changed}
    for name in changed:
        setattr(instance, name, values[name])
    errors: Errors = {}
    if custom:
        current = dict(instance.custom or {})  # type: ignore[attr-defined]
        try:
            updated = clean_custom_values(
                entity, custom, current=current, instance_pk=instance.pk, definitions=definitions
            )
        except ValidationError as error:
            errors.update(error_dict(error))
        else:
            custom_changes = _custom_changes(current, updated, definitions)
            if custom_changes:
                previous["custom"] = current
                instance.custom = updated  # type: ignore[attr-defined]
                changes.extend(custom_changes)
    errors.update({k: v for k, v in validate_row(kind, instance, False, changed).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    return Planned(number=row.number, instance=instance, created=False, changes=changes, previous=previous)


def plan_rows(kind: BulkKind, rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    """Validate every row as the single-record services would; writes nothing but new tags."""
    rows = list(rows)
    plan = BulkPlan(kind=kind)
    entity = entity_of(kind.model)
    definitions = definitions_for(entity, include_archived=True)
    names = [name for row in rows for name in (row.values.get("tags") or [])]
    tags, refused = tags_by_name(names)
    for row in rows:
        try:
            if row.match is None:
                planned = _plan_new(kind, row, by, definitions, entity)
            else:
                planned = _plan_update(kind, row, definitions, entity)
        except ValidationError as error:
            plan.errors[row.number] = error_dict(error)
            continue
        wanted = [" ".join(name.split()).lower() for name in row.values.get("tags") or [] if name.strip()]
        bad = [refused[name] for name in wanted if name in refused]
        if bad:
            plan.errors[row.number] = bad[0]
            continue
        planned.tags = [tags[name] for name in dict.fromkeys(wanted)]
        plan.planned.append(planned)
    return plan


def _add_tags(kind: BulkKind, rows: list[Planned]) -> None:
    rows = [row for row in rows if row.tags]  # records without tags (orders) have no tag table
    if not rows:
        return
    through = kind.model.tags.through  # type: ignore[attr-defined]
    column = f"{kind.model._meta.model_name}_id"
    links = {(row.instance.pk, tag.pk) for row in rows for tag in row.tags}
    through.objects.bulk_create([through(**{column: pk, "tag_id": tag}) for pk, tag in links], ignore_conflicts=True)


def _tag_changes(kind: BulkKind, rows: list[Planned]) -> None:
    """Tags on an update are added to the record's own; record what that changes."""
    rows = [row for row in rows if row.tags]
    if not rows:
        return
    through = kind.model.tags.through  # type: ignore[attr-defined]
    column = f"{kind.model._meta.model_name}_id"
    current: dict[int, set[int]] = {}
    for pk, tag in through.objects.filter(**{f"{column}__in": [r.instance.pk for r in rows]}).values_list(
        column, "tag_id"
    ):
        current.setdefault(pk, set()).add(tag)
    names = {tag.pk: tag.name for tag in Tag.objects.filter(pk__in={t for ids in current.values() for t in ids})}
    for row in rows:
        before = current.get(row.instance.pk, set())
        if {tag.pk for tag in row.tags} <= before:
            continue
        row.previous["tags"] = sorted(before)
        after = sorted({*(names[pk] for pk in before), *(tag.name for tag in row.tags)})
        old = sorted(names[pk] for pk in before)
        row.changes.append({"field": "tags", "label": str(_("tags")), "old": old, "new": after})


def write_plan(plan: BulkPlan, *, by: User | None) -> None:
    """Save what ``plan`` validated: creates, updates, tags, timeline entries and one event per
    record. The caller holds the transaction."""
    kind = plan.kind
    entity = entity_of(kind.model)
    created = [row.instance for row in plan.created]
    copy_create(kind.model, created)
    _add_tags(kind, plan.created)
    if kind.after_create is not None:
        kind.after_create(created, by)
    _tag_changes(kind, [row for row in plan.planned if not row.created])
    updated = plan.updated
    if updated:
        now = timezone.now()
        names = {name for row in updated for name in row.previous if name not in ("tags", "custom")}
        for row in updated:
            row.instance.updated_at = now
        custom = ["custom"] if any("custom" in row.previous for row in updated) else []
        fields = sorted({*names, *kind.derived, "updated_at", *custom})
        copy_update(kind.model, [row.instance for row in updated], fields)
        _add_tags(kind, updated)
    actor = by.pk if by is not None else None
    entries = [(kind.timeline_kind, actor, kind.timeline_data(record), kind.links(record)) for record in created]
    entries += [(TimelineKind.UPDATED, actor, {"changes": row.changes}, kind.links(row.instance)) for row in updated]
    _write_timeline(entries)
    creations = [(r.pk, with_assignee("created", r, kind.created_data(r), entity=entity)) for r in created]
    emit_many(f"{entity}.created", entity=entity, records=creations, actor=by)
    updates = [
        (row.instance.pk, with_assignee("updated", row.instance, {"changes": row.changes}, entity=entity))
        for row in updated
    ]
    emit_many(f"{entity}.updated", entity=entity, records=updates, actor=by)


def _write_timeline(entries: list[tuple[str, int | None, dict[str, Any], dict[str, Any]]]) -> None:
    """One COPY of ``(kind, actor id, data, links)`` timeline entries; ``links`` name the records
    an entry belongs to (``{"contact": contact, "company": None}``), as ``BulkKind.links`` gives them."""
    names = sorted({name for _kind, _actor, _data, links in entries for name in links})
    rows = [
        (kind, actor, data, *(getattr(links.get(name), "pk", None) for name in names))
        for kind, actor, data, links in entries
    ]
    copy_rows(TimelineEntry, ["kind", "actor_id", "data", *(f"{name}_id" for name in names)], rows)


def _full_name(record: Any) -> None:
    record.full_name = join_name(record.first_name, record.last_name)


def _contact_check(contact: Contact, creating: bool) -> None:
    _full_name(contact)
    require_contact_name(contact)


COMPANIES = BulkKind(
    model=Company,
    creatable=COMPANY_FIELDS,
    updatable=COMPANY_FIELDS,
    relations=("owner",),
    links=lambda company: {"company": company},
)
CONTACTS = BulkKind(
    model=Contact,
    creatable=CONTACT_FIELDS,
    updatable=CONTACT_FIELDS,
    relations=("owner", "company"),
    links=lambda contact: {"contact": contact, "company": contact.company},
    check=_contact_check,
    derive=_full_name,
    derived=("full_name",),
)


def plan_companies(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    return plan_rows(COMPANIES, rows, by=by)


def plan_contacts(rows: Iterable[BulkRow], *, by: User | None) -> BulkPlan:
    return plan_rows(CONTACTS, rows, by=by)


def restore_records(kind: BulkKind, rows: list[tuple[Any, dict[str, Any]]], *, by: User | None) -> int:
    """Put back the ``previous`` stored values (as ``Planned.previous`` keeps them) of each
    ``(record, previous)``: one UPDATE, a timeline entry and an ``updated`` event per record. The
    caller holds the transaction."""
    if not rows:
        return 0
    now = timezone.now()
    names: set[str] = set()
    entries: list[TimelineEntry] = []
    events: list[tuple[int, dict[str, Any]]] = []
    for instance, previous in rows:
        changes = []
        for name, value in previous.items():
            if name == "tags":
                before = sorted(str(tag) for tag in instance.tags.all())
                instance.tags.set(value)
                after = sorted(str(tag) for tag in instance.tags.all())
                changes.append({"field": "tags", "label": str(_("tags")), "old": before, "new": after})
                continue
            model_field = instance._meta.get_field(name)
            old = display_value(stored_value(instance, name))
            setattr(instance, model_field.attname, model_field.to_python(value))
            changes.append(
                {
                    "field": name,
                    "label": str(getattr(model_field, "verbose_name", name)),
                    "old": old,
                    "new": display_value(value),
                }
            )
            names.add(name)
        kind.derive(instance)
        instance.updated_at = now
        entries.append(
            TimelineEntry(kind=TimelineKind.UPDATED, actor=by, data={"changes": changes}, **kind.links(instance))
        )
        events.append((instance.pk, with_assignee("updated", instance, {"changes": changes})))
    fields = sorted({*names, *kind.derived, "updated_at"})
    copy_update(kind.model, [instance for instance, _previous in rows], fields)
    TimelineEntry.objects.bulk_create(entries)
    entity = entity_of(kind.model)
    emit_many(f"{entity}.updated", entity=entity, records=events, actor=by)
    return len(rows)


def delete_records(model: type[models.Model], ids: list[int], *, by: User | None, name_field: str) -> int:
    """Delete records by id with one ``deleted`` event each (as ``delete_*`` services write);
    the caller holds the transaction."""
    deleted: list[tuple[Any, str]] = []
    entity = entity_of(model)
    contact_column = contact_link(model)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows: list[tuple[Any, Any, dict[str, Any]]]
        if contact_column is None:
            rows = [
                (pk, name, {}) for pk, name in model._default_manager.filter(pk__in=chunk).values_list("pk", name_field)
            ]
        else:  # as record_event: the event names the contact the record concerned
            rows = [
                (pk, name, {"contact_id": contact_id})
                for pk, name, contact_id in model._default_manager.filter(pk__in=chunk).values_list(
                    "pk", name_field, contact_column
                )
            ]
        records = [(pk, {"name": name, **extra}) for pk, name, extra in rows]
        emit_many(f"{entity}.deleted", entity=entity, records=records, actor=by)
        model._default_manager.filter(pk__in=[pk for pk, _name, _extra in rows]).delete()
        deleted.extend((pk, str(name)) for pk, name, _extra in rows)
    audit_deletion(model._meta, deleted, by=by)
    return len(deleted)
