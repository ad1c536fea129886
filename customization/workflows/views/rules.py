"""Settings → Workflows: the list of rules and the builder (create, edit, activate, copy, delete)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.choices import Entity
from customization.workflows.choices import ActionType, RunStatus, Trigger
from customization.workflows.forms import RuleForm
from customization.workflows.models import WorkflowRule, WorkflowRun
from customization.workflows.services import create_rule, delete_rule, duplicate_rule, set_rule_active, update_rule
from customization.workflows.views import PERMISSION, builder_config
from identity.decorators import permission_required, signed_in_user
from identity.forms import form_status

FORM_FIELDS = ("name", "description", "entity", "trigger")
HISTORY_DAYS = 7


def rules_with_activity() -> QuerySet[WorkflowRule]:
    """Rules with their last run (status, time) and how many runs they started in the last week."""
    runs = WorkflowRun.objects.filter(rule=OuterRef("pk"), dry_run=False)
    last = runs.order_by("-created_at", "-id")
    recent = (
        runs.filter(created_at__gte=timezone.now() - timedelta(days=HISTORY_DAYS))
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return WorkflowRule.objects.annotate(
        last_run_status=Subquery(last.values("status")[:1]),
        last_run_at=Subquery(last.values("created_at")[:1]),
        recent_runs=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
    ).order_by("name", "id")


@permission_required(PERMISSION)
def rule_list(request: HttpRequest) -> HttpResponse:
    labels = dict(RunStatus.choices)
    rules = list(rules_with_activity())
    for rule in rules:
        rule.last_run_label = labels.get(rule.last_run_status, "")  # type: ignore[attr-defined]
    return render(request, "customization/workflows/list.html", {"rules": rules, "days": HISTORY_DAYS})


_INDEXED = re.compile(r"^(actions|conditions)\[(\d+)\]$")


def error_label(path: str) -> str:
    """``actions[2].due_in.days`` → "Action 3 › due in › days", for the error summary."""
    pieces = path.split(".")
    if pieces[0] == "conditions" and len(pieces) > 1:
        pieces = pieces[1:]
    labels = []
    for piece in pieces:
        indexed = _INDEXED.match(piece)
        if indexed:
            text = _("Action %(n)d") if indexed.group(1) == "actions" else _("Condition %(n)d")
            labels.append(text % {"n": int(indexed.group(2)) + 1})
        elif piece == "trigger_config":
            labels.append(_("Trigger"))
        else:
            labels.append(capfirst(piece.replace("_", " ")) if not labels else piece.replace("_", " "))
    return " › ".join(labels)


def _split_errors(form: RuleForm, error: ValidationError) -> dict[str, list[str]]:
    """Put the errors of the plain inputs on the form; return those of the definition by path."""
    definition_errors: dict[str, list[str]] = {}
    for path, texts in error.message_dict.items():
        if path in FORM_FIELDS:
            form.add_error(path, texts)
        else:
            definition_errors[path] = texts
    if definition_errors:
        form.add_error(None, _("Some parts of the rule need attention: see the marked fields."))
    return definition_errors


def _builder(request: HttpRequest, rule: WorkflowRule | None) -> HttpResponse:
    initial: dict[str, Any] = (
        RuleForm.initial_of(rule)
        if rule
        else {
            "entity": Entity.DEAL,
            "trigger": Trigger.RECORD_CREATED,
            "actions": [{"type": ActionType.CREATE_ACTIVITY, "kind": "task", "subject": "", "due_in": {"days": 1}}],
        }
    )
    form = RuleForm(request.POST or None, initial=initial)
    definition_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        by = signed_in_user(request)
        try:
            if rule is None:
                rule = create_rule(by=by, **form.cleaned_data)
                messages.success(request, _("Rule %(name)s is saved. Activate it when it is ready.") % {"name": rule})
            else:
                rule = update_rule(rule, by=by, **form.cleaned_data)
                messages.success(request, _("Rule %(name)s is saved (version %(version)d).") % {
                    "name": rule, "version": rule.version,
                })  # fmt: skip
        except ValidationError as error:
            definition_errors = _split_errors(form, error)
        else:
            return redirect("workflows:edit", rule.pk)
    return render(
        request,
        "customization/workflows/builder.html",
        {
            "rule": rule,
            "form": form,
            "config": builder_config(),
            "definition_errors": definition_errors,
            "error_summary": [(path, error_label(path), texts) for path, texts in definition_errors.items()],
        },
        status=form_status(form),
    )


@permission_required(PERMISSION)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@permission_required(PERMISSION)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, get_object_or_404(WorkflowRule, pk=pk))


@permission_required(PERMISSION)
@require_POST
def rule_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(WorkflowRule, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        rule = set_rule_active(rule, active, by=signed_in_user(request))
    except ValidationError as error:
        problems = "; ".join(f"{error_label(path)}: {' '.join(texts)}" for path, texts in error.message_dict.items())
        messages.error(request, _("%(name)s cannot be activated: %(problems)s") % {"name": rule, "problems": problems})
    else:
        text = _("%(name)s is active.") if rule.is_active else _("%(name)s is switched off.")
        messages.success(request, text % {"name": rule})
    if request.POST.get("next") == "edit":
        return redirect("workflows:edit", rule.pk)
    return redirect("workflows:list")


@permission_required(PERMISSION)
@require_POST
def rule_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(WorkflowRule, pk=pk)
    try:
        copy = duplicate_rule(rule, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("workflows:edit", rule.pk)
    messages.success(request, _("%(name)s is created, switched off.") % {"name": copy})
    return redirect("workflows:edit", copy.pk)


@permission_required(PERMISSION)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(WorkflowRule, pk=pk)
    if request.method == "POST":
        delete_rule(rule, by=signed_in_user(request))
        messages.success(request, _("%(name)s is deleted.") % {"name": rule})
        return redirect("workflows:list")
    return render(request, "customization/workflows/delete.html", {"rule": rule, "run_count": rule.runs.count()})
