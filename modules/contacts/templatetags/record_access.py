"""``{{ record.link|shown_to:request }}``: a linked record only when the signed-in user may see it
(``modules.record_access``), else None, so the page renders no name and no link for it."""

from __future__ import annotations

from typing import Any

from django import template

from modules.record_access import page_access

register = template.Library()


@register.filter
def shown_to(record: Any, request: Any) -> Any:
    return page_access(request).shown(record)


@register.filter
def each_shown_to(records: Any, request: Any) -> list[Any]:
    """The records of a list the signed-in user may see."""
    access = page_access(request)
    return [record for record in records if access.shown(record) is not None]
