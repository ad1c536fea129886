"""``update_field {"field", "value"}``: set one field of the record through its update service
(validation, timeline and ``<entity>.updated`` exactly as a person's edit)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customization.workflows.engine.actions.base import Outcome, refused
from customization.workflows.engine.context import StepContext, json_value, merge_values, render
from customization.workflows.engine.errors import StepError
from customization.workflows.record_fields import read_field, set_fields


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    path = str(config.get("field") or "")
    if not path:
        raise StepError(_("No field to update."))
    value = config.get("value")
    if isinstance(value, str) and "{{" in value:
        value = render(value, merge_values(context.record, context.entity))
    before = json_value(read_field(context.record, path))
    try:
        set_fields(context.record, {path: value}, by=None)
    except ValidationError as error:
        raise refused(error) from error
    return Outcome({"field": path, "old": before, "new": json_value(read_field(context.record, path))})
