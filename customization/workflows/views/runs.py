"""A rule's run history and the page of one run with its step logs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from customization.fields.entities import record_url
from customization.workflows.models import WorkflowRule, WorkflowRun
from customization.workflows.views import PERMISSION, action_label, pretty_json, record_names
from identity.decorators import permission_required

PAGE_SIZE = 50


def _with_records(runs: list[WorkflowRun]) -> list[dict[str, Any]]:
    """Each run with its record's name and link (one query per record type, deleted ones unnamed)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for run in runs:
        ids[run.entity].add(run.record_id)
    names = {entity: record_names(entity, pks) for entity, pks in ids.items()}
    return [
        {
            "run": run,
            "record_name": names[run.entity].get(run.record_id),
            "record_url": record_url(run.entity, run.record_id) if run.record_id in names[run.entity] else "",
        }
        for run in runs
    ]


@permission_required(PERMISSION)
def run_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Newest first, fifty a page; older pages by the last run id seen (no OFFSET, no COUNT)."""
    rule = get_object_or_404(WorkflowRule, pk=pk)
    runs = rule.runs.filter(dry_run=False).select_related("event").order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        runs = runs.filter(pk__lt=int(before))
    page = list(runs[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return render(
        request,
        "customization/workflows/runs.html",
        {"rule": rule, "rows": _with_records(page), "next_before": page[-1].pk if more else None},
    )


@permission_required(PERMISSION)
def run_detail(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    rule = get_object_or_404(WorkflowRule, pk=pk)
    run = get_object_or_404(WorkflowRun.objects.select_related("event"), pk=run_pk, rule=rule)
    row = _with_records([run])[0]
    return render(
        request,
        "customization/workflows/run.html",
        {
            "rule": rule,
            "run": run,
            "record_name": row["record_name"],
            "record_url": row["record_url"],
            "steps": [
                {
                    "step": step,
                    "label": action_label(step.action_type),
                    "input": pretty_json(step.input),
                    "output": pretty_json(step.output),
                }
                for step in run.steps.order_by("position")
            ],
            "version": rule.versions.filter(version=run.version).first(),
        },
    )
