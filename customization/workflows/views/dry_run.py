"""The builder's "Test": pick a record the user may see and show what the saved rule would do to
it. A dry run changes nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst

from customization.fields.entities import NAME_FIELDS, record_url, visible_records
from customization.workflows.engine import dry_run
from customization.workflows.forms import DryRunForm
from customization.workflows.models import WorkflowRule
from customization.workflows.record_fields import field_catalog
from customization.workflows.views import (
    PERMISSION,
    action_label,
    operator_labels,
    pretty_json,
)
from identity.decorators import permission_required, signed_in_user

PICKER_SIZE = 10


def condition_rows(detail: dict[str, Any], labels: dict[str, str], depth: int = 0) -> list[dict[str, Any]]:
    """The verdict tree of the conditions, flattened for display (depth gives the indent)."""
    if "conditions" in detail:
        rows = [] if depth == 0 else [{"depth": depth, "group": detail.get("match"), "matched": detail.get("matched")}]
        for item in detail["conditions"]:
            rows.extend(condition_rows(item, labels, depth + 1))
        return rows
    return [
        {
            "depth": depth,
            "field": labels.get(str(detail.get("field")), detail.get("field")),
            "op": operator_labels().get(str(detail.get("op")), detail.get("op")),
            "value": detail.get("value"),
            "actual": detail.get("actual"),
            "matched": detail.get("matched"),
            "error": detail.get("error", ""),
        }
    ]


@permission_required(PERMISSION)
def record_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Up to ten of the rule's records whose name contains ``q`` (the newest when ``q`` is empty)."""
    rule = get_object_or_404(WorkflowRule, pk=pk)
    name_field = NAME_FIELDS[rule.entity]
    query = request.GET.get("q", "").strip()[:100]
    records = visible_records(rule.entity, signed_in_user(request))
    if query:
        records = records.filter(**{f"{name_field}__icontains": query})
    rows = list(records.order_by("-pk").values_list("pk", name_field)[:PICKER_SIZE])
    return render(
        request,
        "customization/workflows/record_options.html",
        {"rule": rule, "records": [{"pk": pk, "name": name or f"#{pk}"} for pk, name in rows], "query": query},
    )


@permission_required(PERMISSION)
def rule_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(WorkflowRule, pk=pk)
    form = DryRunForm(request.POST or request.GET or None)
    if not form.is_valid():
        template = "_dry_run_result.html" if request.headers.get("HX-Request") == "true" else "dry_run.html"
        return render(request, f"customization/workflows/{template}", {"rule": rule, "form": form}, status=400)
    user = signed_in_user(request)
    record = get_object_or_404(visible_records(rule.entity, user), pk=form.cleaned_data["record"])
    result = dry_run(rule, record, by=user)
    labels = {info.path: capfirst(info.label) for info in field_catalog(rule.entity)}
    fragment = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "customization/workflows/_dry_run_result.html" if fragment else "customization/workflows/dry_run.html",
        {
            "rule": rule,
            "form": form,
            "record": record,
            "record_url": record_url(rule.entity, record.pk),
            "result": result,
            "condition_rows": condition_rows(result.conditions, labels),
            "steps": [
                {
                    "step": step,
                    "label": action_label(step.action_type),
                    "input": pretty_json(step.input),
                    "output": pretty_json(step.output),
                }
                for step in result.steps
            ],
        },
    )
