"""What segments bring to workflows: the triggers "Enters a segment" / "Leaves a segment" (fired by
the membership events, for the segment a rule chose) and the actions "Add to a static list" /
"Remove from a static list" on a contact. Registered from the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import StepContext
from customization.workflows.engine.errors import StepError
from customization.workflows.registry import WorkflowAction, WorkflowTrigger, register_action, register_trigger
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from modules.marketing.segments.membership import ENTERED, LEFT


def _segments() -> tuple[tuple[Any, Any], ...]:
    return tuple(Segment.objects.order_by("name", "pk").values_list("pk", "name"))


def _static_lists() -> tuple[tuple[Any, Any], ...]:
    return tuple(Segment.objects.filter(kind=SegmentKind.STATIC).order_by("name", "pk").values_list("pk", "name"))


def _static_list(config: dict[str, Any]) -> Segment:
    segment = Segment.objects.filter(pk=config.get("id") or 0, kind=SegmentKind.STATIC).first()
    if segment is None:
        raise StepError(_("No static list has the id %(id)s.") % {"id": config.get("id")})
    return segment


def add_to_static_list(config: dict[str, Any], context: StepContext) -> Outcome:
    from modules.marketing.segments.services import add_to_list

    segment = _static_list(config)
    added = add_to_list(segment, [context.record.pk], by=None)
    return Outcome({"list": segment.pk, "added": added})


def remove_from_static_list(config: dict[str, Any], context: StepContext) -> Outcome:
    from modules.marketing.segments.services import remove_from_list

    segment = _static_list(config)
    removed = remove_from_list(segment, [context.record.pk], by=None)
    return Outcome({"list": segment.pk, "removed": removed})


def register() -> None:
    for key, label, event in (
        ("segment_entered", gettext_lazy("Enters a segment"), ENTERED),
        ("segment_left", gettext_lazy("Leaves a segment"), LEFT),
    ):
        register_trigger(
            WorkflowTrigger(
                key=key, label=label, event=event, entities=("contact",), option=_segments,
                option_label=gettext_lazy("Segment"),
            )
        )  # fmt: skip
    for key, label, execute in (
        ("segment_list_add", gettext_lazy("Add to a static list"), add_to_static_list),
        ("segment_list_remove", gettext_lazy("Remove from a static list"), remove_from_static_list),
    ):
        register_action(
            WorkflowAction(
                key=key, label=label, execute=execute, entities=("contact",), option=_static_lists,
                option_label=gettext_lazy("Static list"),
            )
        )  # fmt: skip
