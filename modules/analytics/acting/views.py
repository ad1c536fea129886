"""Pages for starting a workflow on an analysis's records: pick one of the workflows that run on
the records' type, confirm with the count, then follow how the runs went."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from customization.fields.choices import Entity
from customization.workflows.models import SelectionRun, WorkflowRule
from customization.workflows.selections import entity_label, rules_for_selection, selection_outcome, start_on_selection
from identity.decorators import signed_in_user
from modules.analytics.acting.sets import RecordSet, record_set
from modules.analytics.views import analytics_page

PERMISSION = "analytics.run_workflows"


def _problem(error: ValidationError) -> HttpResponse:
    return HttpResponseBadRequest(
        " ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    )


def _posted_int(request: HttpRequest, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError({name: [_("Enter a whole number.")]})
    return int(raw)


def _start(request: HttpRequest, selection: RecordSet, entity: str) -> SelectionRun:
    rule_id = _posted_int(request, "workflow")
    rule = WorkflowRule.objects.filter(pk=rule_id).first()
    return start_on_selection(
        rule=rule,
        entity=entity,
        record_ids=selection.ids.get(entity, []),
        by=signed_in_user(request),
        label=selection.label,
        expected_count=_posted_int(request, "expected_count"),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page(PERMISSION)
def start(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    try:
        selection = record_set(request.GET, user)
    except ValidationError as error:
        return _problem(error)
    entities = selection.entities()
    entity = request.GET.get("entity") or (entities[0] if entities else "")
    if entities and entity not in entities:
        return _problem(ValidationError({"entity": [_("Choose one of the record types of the selection.")]}))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            run = _start(request, selection, entity)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect("analytics:act-result", pk=run.pk)
    count = len(selection.ids.get(entity, []))
    rules = list(rules_for_selection(entity)) if entity else []
    context: dict[str, Any] = {
        "selection": selection,
        "entity": entity,
        "count": count,
        "records": entity_label(entity, count) if entity else "",
        "rules": rules,
        "errors": errors,
        "other_types": [
            {
                "label": entity_label(other, len(selection.ids[other])),
                "url": "?" + urlencode({**selection.params, "entity": other}),
            }
            for other in entities
            if other != entity
        ],
        "query": urlencode({**selection.params, "entity": entity}) if entity else urlencode(selection.params),
        "type_label": Entity(entity).label if entity in Entity.values else "",
    }
    return render(request, "analytics/acting/start.html", context, status=400 if errors else 200)


@require_safe
@analytics_page(PERMISSION)
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """How a selection's runs went; only for the person who started it."""
    user = signed_in_user(request)
    selection = get_object_or_404(SelectionRun.objects.select_related("rule"), pk=pk, requested_by=user)
    outcome = selection_outcome(selection)
    return render(
        request,
        "analytics/acting/result.html",
        {
            "selection": selection,
            "records": entity_label(selection.entity, selection.total),
            "outcome": outcome,
            "runs_url": reverse("workflows:runs", args=[selection.rule_id])
            if user.has_perm("settings.manage_workflows")
            else None,
        },
    )
