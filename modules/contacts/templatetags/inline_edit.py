"""``{% inline_field record "amount" %}``: a record's field as a value that turns into its editor
when clicked (htmx, ``contacts:inline-field``), for users who may change the record; the plain
value for everyone else. Works for any registered record type, on record pages and in list cells."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from customization.fields.entities import entity_of
from modules.contacts.inline import INLINE_ENTITIES, inline_field_of, shown_value

register = template.Library()


@register.simple_tag(takes_context=True)
def inline_field(context: template.Context, record: Any, name: str) -> SafeString:
    request = context.get("request")
    try:
        entity = entity_of(record)
    except LookupError:
        return format_html("{}", getattr(record, name, ""))
    field = inline_field_of(entity, name)
    spec = INLINE_ENTITIES.get(entity)
    if field is None or spec is None or request is None:
        return format_html("{}", getattr(record, name, ""))
    if not request.user.has_perm(f"{spec.module}.change"):
        shown = shown_value(field, record, user=request.user)
        if shown.url:
            return format_html('<a href="{}" class="text-break">{}</a>', shown.url, shown.text)
        return format_html("{}", shown.text)
    return render_to_string(
        "contacts/inline/field.html",
        {"record": record, "field": field, "entity": entity, "shown": shown_value(field, record, user=request.user)},
        request=request,
    )
