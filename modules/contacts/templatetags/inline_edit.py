"""``{% inline_field record "amount" %}``: a record's field as a value that turns into its editor
when clicked (htmx, ``contacts:inline-field``), for users who may change the record; the plain
value for everyone else. Works for any registered record type, on record pages and in list cells."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from customization.fields.display import Shown
from customization.fields.entities import entity_of
from customization.fields.validation import definitions_for
from modules.contacts.inline import INLINE_ENTITIES, inline_field_of, shown_value

register = template.Library()

FIELD_TEMPLATE = "contacts/inline/field.html"


@register.simple_tag(takes_context=True)
def inline_field(context: template.Context, record: Any, name: str, shown: Shown | None = None) -> SafeString:
    """``shown``: the value already formatted (a list's ``custom_cells`` resolve users and
    referenced records for all rows at once), so a cell costs no query of its own."""
    request = context.get("request")
    try:
        entity = entity_of(record)
    except LookupError:
        return format_html("{}", getattr(record, name, ""))
    definitions = None
    if name.startswith("custom.") and request is not None:  # once per page, not once per value
        cache: dict[str, Any] = request.__dict__.setdefault("_inline_definitions", {})
        if entity not in cache:
            cache[entity] = definitions_for(entity)
        definitions = cache[entity]
    field = inline_field_of(entity, name, definitions=definitions)
    spec = INLINE_ENTITIES.get(entity)
    if field is None or spec is None or request is None:
        return format_html("{}", getattr(record, name, ""))
    shown = shown if isinstance(shown, Shown) else shown_value(field, record, user=request.user)
    if not request.user.has_perm(f"{spec.module}.change"):
        if shown.url:
            return format_html('<a href="{}" class="text-break">{}</a>', shown.url, shown.text)
        return format_html("{}", shown.text)
    values = {"record": record, "field": field, "entity": entity, "shown": shown}
    if context.template is not None:
        # Rendered within the page's context: a list renders hundreds of cells, and a fresh
        # RequestContext would run the context processors (navigation, banners) for each one.
        return context.template.engine.get_template(FIELD_TEMPLATE).render(context.new(values))
    return render_to_string(FIELD_TEMPLATE, values, request=request)
