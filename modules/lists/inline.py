"""List cells edited in place. A column naming a field of its record type's inline registry
(``Column.inline``) and every custom-field column become ``{% inline_field %}`` cells — the same
endpoint, services and errors-in-place as on record pages — for users with the change permission;
the rows a list shows are the rows the user may see, which the endpoint checks again.

The values are formatted here from what the page has already loaded (owners joined by the list's
rows, custom values resolved for the whole page by ``attach_cells``) and handed to the tag as
``shown``, so an editable cell costs no query of its own."""

from __future__ import annotations

from typing import Any

from identity.models import User
from modules.contacts.inline import CUSTOM_PREFIX, INLINE_ENTITIES, InlineField, inline_field_of, shown_value
from modules.lists.definition import Column, ListDefinition


def can_edit_cells(definition: ListDefinition, user: User) -> bool:
    spec = INLINE_ENTITIES.get(definition.key)
    return spec is not None and user.has_perm(definition.change_permission) and user.has_perm(f"{spec.module}.change")


def editable_fields(definition: ListDefinition, columns: list[Column]) -> dict[str, InlineField]:
    """Column key → the inline field it edits, for the columns that name one the registry knows."""
    fields = {}
    for column in columns:
        field = inline_field_of(definition.key, column.inline) if column.inline else None
        if field is not None and not field.is_custom:
            fields[column.key] = field
    return fields


def attach_inline(definition: ListDefinition, rows: list[Any], fields: dict[str, InlineField], *, user: User) -> None:
    """Mark the rows' editable cells (built-in columns and custom ones) with their inline field."""
    for row in rows:
        for cell in row.list_cells:
            field = fields.get(cell.column.key)
            if field is not None:
                cell.inline = field.name
                cell.shown = shown_value(field, row, user=user)
        for custom in getattr(row, "custom_cells", ()):
            custom["inline"] = f"{CUSTOM_PREFIX}{custom['key']}"
