"""Inline editing endpoint: ``GET`` shows a field's value (``?edit=1``: its editor), ``POST`` saves
it through the record's update service and shows the value again, or the editor with the
service's errors in place (422, nothing saved)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from customization.fields.form_fields import form_errors
from identity.decorators import require_permission
from identity.time_zones import user_time_zone
from modules.contacts.inline import (
    INLINE_ENTITIES,
    InlineField,
    form_field_for,
    initial_for,
    inline_field_of,
    service_values,
    shown_value,
)
from modules.contacts.views.common import current_user
from modules.plan_gate import ensure_in_plan


def _errors_for(field: InlineField, error: ValidationError) -> list[str]:
    """The service's messages, those naming this field first (a rule on another field still shows)."""
    error = form_errors(error) if field.is_custom else error
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    keys = {field.name, field.name.replace(".", "_"), f"custom_{field.name.removeprefix('custom.')}"}
    named = [message for key, messages in error.message_dict.items() if key in keys for message in messages]
    others = [message for key, messages in error.message_dict.items() if key not in keys for message in messages]
    return named + others


def render_field(
    request: HttpRequest,
    record: models.Model,
    field: InlineField,
    *,
    editing: bool = False,
    form_field: Any = None,
    value: Any = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"record": record, "field": field, "entity": field.entity}
    if editing:
        bound = form_field or form_field_for(field, user=current_user(request))
        widget_value = value if value is not None else initial_for(field, record)
        attrs = {"id": f"inline-{field.entity}-{record.pk}-{field.name}", "autofocus": True}
        bound.widget.attrs.setdefault("class", "form-control form-control-sm")
        if hasattr(bound.widget, "input_type") and bound.widget.input_type in ("checkbox",):
            bound.widget.attrs["class"] = "form-check-input"
        elif isinstance(bound.widget, forms.Select):
            bound.widget.attrs["class"] = "form-select form-select-sm"
        context.update(
            editing=True,
            widget=bound.widget.render("value", bound.prepare_value(widget_value), attrs=attrs),
            errors=errors or [],
        )
    else:
        context["shown"] = shown_value(field, record, user=current_user(request))
    return render(request, "contacts/inline/field.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def inline_field(request: HttpRequest, entity: str, pk: int, field: str) -> HttpResponse:
    spec = INLINE_ENTITIES.get(entity)
    if spec is None:
        raise Http404
    ensure_in_plan(getattr(request, "tenant", None), spec.module)
    require_permission(request, f"{spec.module}.view")
    if request.method == "POST" or request.GET.get("edit"):
        require_permission(request, f"{spec.module}.change")
    inline = inline_field_of(entity, field)
    if inline is None:
        raise Http404
    user = current_user(request)
    with timezone.override(user_time_zone(request)):
        record = get_object_or_404(spec.visible(user), pk=pk)
        if request.method != "POST":
            return render_field(request, record, inline, editing=bool(request.GET.get("edit")))
        form_field = form_field_for(inline, user=user)
        raw = form_field.widget.value_from_datadict(request.POST, request.FILES, "value")
        try:
            cleaned = form_field.clean(raw)
            spec.update(record, by=user, **service_values(inline, cleaned))
        except ValidationError as error:
            record.refresh_from_db()
            return render_field(
                request, record, inline, editing=True, form_field=form_field, value=raw,
                errors=_errors_for(inline, error), status=422,
            )  # fmt: skip
        record.refresh_from_db()
        return render_field(request, record, inline)
