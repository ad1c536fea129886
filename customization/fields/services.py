"""Custom field definitions as tenant admins shape them (Settings → Custom fields).

The only writers of definitions. Each function owns its transaction, bumps the definitions version
in it, queues the index sync when what the index serves changes (indexing, uniqueness, type,
archival) and raises a field-named ValidationError, writing nothing, when it refuses. Changing a
field's type lives in ``conversion``, which converts the stored values too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.choices import SELECT_TYPES, FieldType
from customization.fields.entities import entity_model
from customization.fields.indexes import schedule_index_sync, wants_index
from customization.fields.models import CustomFieldDefinition
from customization.fields.rules import (
    check_currency,
    check_default,
    check_entity,
    check_field_type,
    check_flag,
    check_indexing,
    check_key,
    check_no_duplicates,
    check_options,
    check_reference_entity,
    check_text,
    check_translations,
    record_ids_using,
)
from customization.fields.versions import bump_definitions_version
from identity.models import User
from identity.services.audit import audit

OPTIONAL_ATTRIBUTES = (
    "label_translations",
    "help_text",
    "section",
    "required",
    "is_unique",
    "default",
    "options",
    "reference_entity",
    "currency",
    "is_indexed",
)
UPDATABLE = (
    "label",
    "label_translations",
    "help_text",
    "section",
    "required",
    "is_unique",
    "default",
    "options",
    "is_indexed",
    "currency",
)


def create_definition(
    *, by: User | None, entity: str, key: str, label: str, field_type: str, **attributes: Any
) -> CustomFieldDefinition:
    """A new field at the end of ``entity``'s list. ``attributes`` are the optional ones
    (``OPTIONAL_ATTRIBUTES``); anything else is refused by name."""
    unknown = sorted(set(attributes) - set(OPTIONAL_ATTRIBUTES))
    if unknown:
        raise ValidationError({name: [_("This is not a property of a custom field.")] for name in unknown})
    entity = check_entity(entity)
    field_type = check_field_type("field_type", field_type)
    definition = CustomFieldDefinition(
        entity=entity,
        label=check_text("label", label, 100, required=True),
        field_type=field_type,
        label_translations=check_translations(attributes.get("label_translations")),
        help_text=check_text("help_text", attributes.get("help_text"), 255),
        section=check_text("section", attributes.get("section"), 60),
        required=check_flag("required", attributes.get("required", False)),
        is_unique=check_flag("is_unique", attributes.get("is_unique", False)),
        is_indexed=check_flag("is_indexed", attributes.get("is_indexed", False)),
        options=check_options(field_type, attributes.get("options")),
        reference_entity=check_reference_entity(field_type, attributes.get("reference_entity")),
        currency=check_currency(field_type, attributes.get("currency")),
        created_by=by,
    )
    check_indexing(field_type, is_unique=definition.is_unique, is_indexed=definition.is_indexed)
    definition.default = check_default(definition, attributes.get("default"))
    with transaction.atomic():
        definition.key = check_key(entity, key)
        last = CustomFieldDefinition.objects.filter(entity=entity).aggregate(last=Max("position"))["last"]
        definition.position = 0 if last is None else last + 1
        try:
            with transaction.atomic():
                definition.save()
        except IntegrityError:  # a concurrent create took the key between the check and the insert
            raise ValidationError({"key": [_("This record type already has a field with this key.")]}) from None
        bump_definitions_version()
        if wants_index(definition):
            schedule_index_sync(definition)
        _audit(definition, "custom_field.created", _("Custom field %(label)s (%(entity)s) created."), by=by)
    return definition


def _audit(definition: CustomFieldDefinition, action: str, summary: str, *, by: User | None) -> None:
    audit(
        action,
        summary % {"label": definition.label, "entity": definition.entity},
        by=by,
        target=f"custom_field:{definition.entity}.{definition.key}",
        details={"entity": definition.entity, "key": definition.key, "field_type": definition.field_type},
    )


def _locked(definition: CustomFieldDefinition) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)


def _replace_option_values(definition: CustomFieldDefinition, removed: list[str], replacement: str) -> int:
    """One UPDATE giving the records that use a removed option ``replacement`` ("" clears)."""
    table = connection.ops.quote_name(entity_model(definition.entity)._meta.db_table)
    key = definition.key  # validated against KEY_PATTERN
    with connection.cursor() as cursor:
        if definition.field_type == FieldType.SINGLE_SELECT:
            new_value = (
                "custom - %(key)s" if not replacement else "jsonb_set(custom, ARRAY[%(key)s], to_jsonb(%(rep)s::text))"
            )
            cursor.execute(
                f"UPDATE {table} SET custom = {new_value} WHERE custom ->> %(key)s = ANY(%(removed)s)",  # noqa: S608
                {"key": key, "rep": replacement, "removed": removed},
            )
        else:
            kept = (
                "(SELECT jsonb_agg(v ORDER BY first) FROM (SELECT v, min(n) AS first FROM ("
                " SELECT CASE WHEN e = ANY(%(removed)s) THEN NULLIF(%(rep)s, '') ELSE e END AS v, n"
                " FROM jsonb_array_elements_text(custom -> %(key)s) WITH ORDINALITY AS t(e, n)) AS mapped"
                " WHERE v IS NOT NULL GROUP BY v) AS distinct_values)"
            )
            cursor.execute(
                f"UPDATE {table} SET custom = CASE WHEN {kept} IS NULL THEN custom - %(key)s"  # noqa: S608
                f" ELSE jsonb_set(custom, ARRAY[%(key)s], {kept}) END"
                " WHERE (custom -> %(key)s) ?| %(removed)s",
                {"key": key, "rep": replacement, "removed": removed},
            )
        return int(cursor.rowcount)


def update_definition(
    definition: CustomFieldDefinition, *, by: User | None, replace_removed_with: str | None = None, **changes: Any
) -> CustomFieldDefinition:
    """Change the ``UPDATABLE`` properties. Removing options that records use is refused with
    their count unless ``replace_removed_with`` names an option to give them ("" clears them)."""
    fixed = [name for name in ("key", "entity", "field_type", "reference_entity") if name in changes]
    unknown = sorted(set(changes) - set(UPDATABLE) - set(fixed))
    errors: dict[str, list[str]] = {name: [_("This is not a property of a custom field.")] for name in unknown}
    for name in fixed:
        if changes[name] != getattr(definition, name):
            errors[name] = (
                [_("Use “Change type” to change the type; it converts the stored values.")]
                if name == "field_type"
                else [_("This cannot be changed once the field exists.")]
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        definition = _locked(definition)
        before_index = (definition.is_indexed, definition.is_unique)
        field_type = definition.field_type
        if "label" in changes:
            definition.label = check_text("label", changes["label"], 100, required=True)
        if "label_translations" in changes:
            definition.label_translations = check_translations(changes["label_translations"])
        for text_name, limit in (("help_text", 255), ("section", 60)):
            if text_name in changes:
                setattr(definition, text_name, check_text(text_name, changes[text_name], limit))
        for flag_name in ("required", "is_unique", "is_indexed"):
            if flag_name in changes:
                setattr(definition, flag_name, check_flag(flag_name, changes[flag_name]))
        check_indexing(field_type, is_unique=definition.is_unique, is_indexed=definition.is_indexed)
        if "currency" in changes:
            definition.currency = check_currency(field_type, changes["currency"])
        if "options" in changes and field_type in SELECT_TYPES:
            new_options = check_options(field_type, changes["options"])
            kept = {option["value"] for option in new_options}
            removed = [value for value in definition.option_values if value not in kept]
            in_use = record_ids_using(definition, removed) if removed else []
            if in_use and replace_removed_with is None:
                message = ngettext(
                    "%(count)d record uses a removed option (%(values)s): choose a replacement for it.",
                    "%(count)d records use a removed option (%(values)s): choose a replacement for them.",
                    len(in_use),
                )
                raise ValidationError({"options": [message % {"count": len(in_use), "values": ", ".join(removed)}]})
            if in_use:
                if replace_removed_with and replace_removed_with not in kept:
                    raise ValidationError({"replace_removed_with": [_("Choose one of the remaining options.")]})
                if not replace_removed_with and definition.required:
                    raise ValidationError({"replace_removed_with": [_("The field is required: choose an option.")]})
                _replace_option_values(definition, removed, replace_removed_with or "")
            definition.options = new_options
        if "default" in changes:
            definition.default = check_default(definition, changes["default"])
        elif definition.default is not None:
            definition.default = check_default(definition, definition.default)
        if definition.is_unique and not before_index[1]:
            check_no_duplicates(definition)
        definition.save()
        bump_definitions_version()
        if (definition.is_indexed, definition.is_unique) != before_index:
            schedule_index_sync(definition)
        _audit(definition, "custom_field.updated", _("Custom field %(label)s (%(entity)s) changed."), by=by)
    return definition


def archive_definition(definition: CustomFieldDefinition, *, by: User | None) -> CustomFieldDefinition:
    """Hide the field from forms and APIs; its values stay on the records until it is purged."""
    with transaction.atomic():
        definition = _locked(definition)
        if definition.is_archived:
            return definition
        definition.archived_at = timezone.now()
        definition.save(update_fields=["archived_at", "updated_at"])
        bump_definitions_version()
        if definition.is_indexed or definition.is_unique:
            schedule_index_sync(definition)
        _audit(definition, "custom_field.archived", _("Custom field %(label)s (%(entity)s) archived."), by=by)
    return definition


def restore_definition(definition: CustomFieldDefinition, *, by: User | None) -> CustomFieldDefinition:
    """Bring an archived field back, at the end of its record type's list."""
    with transaction.atomic():
        definition = _locked(definition)
        if not definition.is_archived:
            return definition
        if definition.is_unique:
            check_no_duplicates(definition)
        last = CustomFieldDefinition.objects.filter(entity=definition.entity).aggregate(last=Max("position"))["last"]
        definition.archived_at = None
        definition.position = (last or 0) + 1
        definition.save(update_fields=["archived_at", "position", "updated_at"])
        bump_definitions_version()
        if wants_index(definition):
            schedule_index_sync(definition)
        _audit(definition, "custom_field.restored", _("Custom field %(label)s (%(entity)s) restored."), by=by)
    return definition


def purge_definition(definition: CustomFieldDefinition, *, by: User | None) -> int:
    """Delete an archived field and its value on every record; returns how many records held one."""
    with transaction.atomic():
        definition = _locked(definition)
        if not definition.is_archived:
            raise ValidationError({"archived_at": [_("Archive the field before deleting it for good.")]})
        table = connection.ops.quote_name(entity_model(definition.entity)._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET custom = custom - %s WHERE custom ? %s",  # noqa: S608
                [definition.key, definition.key],
            )
            cleared = int(cursor.rowcount)
            # Archiving queued a concurrent drop; this one covers a drop that has not run yet.
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(definition.index_name)}")
        _audit(
            definition,
            "custom_field.deleted",
            _("Custom field %(label)s (%(entity)s) deleted with its values."),
            by=by,
        )
        definition.delete()
        bump_definitions_version()
    return cleared


def reorder_definitions(entity: str, ordered_ids: Sequence[object], *, by: User | None = None) -> None:
    """Put ``entity``'s active fields in the given order; archived ones follow."""
    entity = check_entity(entity)
    with transaction.atomic():
        definitions = {
            definition.pk: definition
            for definition in CustomFieldDefinition.objects.select_for_update().filter(entity=entity)
        }
        active = {pk for pk, definition in definitions.items() if not definition.is_archived}
        try:
            ids = [int(str(value)) for value in ordered_ids]
        except ValueError:
            ids = []
        if len(ids) != len(active) or set(ids) != active:
            raise ValidationError({"order": [_("The fields changed meanwhile: reload the page and try again.")]})
        archived = sorted(
            (definition for definition in definitions.values() if definition.is_archived),
            key=lambda definition: (definition.position, definition.pk),
        )
        ordered = [definitions[pk] for pk in ids] + archived
        for position, definition in enumerate(ordered):
            definition.position = position
        CustomFieldDefinition.objects.bulk_update(ordered, ["position"])
        bump_definitions_version()
