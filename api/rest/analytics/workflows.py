"""Starting a workflow on an analysis's records over REST (analytics module; ``analytics.view`` and
``analytics.run_workflows``; scope ``analytics:write`` to start, ``analytics:read`` to follow; a
customer analysis reads orders, so also ``sales:read``).

``POST /api/v1/analytics/workflow-selections/`` names the selection as the pages do
(``modules.analytics.acting.sets``: ``cell`` — a report run's row carries it —, or ``report`` with
``keys`` and the run's narrowing, or ``set`` with its parameters), the ``workflow`` and optionally
``entity`` (companies or contacts, for customer sets) and ``expected_count``; the runs are queued
(202). ``GET …/<id>/`` tells how they went. Only the caller's own selections are found."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth.credentials import credential_of, missing_scope_message, scope_allows
from api.entities.links import api_access
from api.rest.records import acting_user
from customization.workflows.models import SelectionRun, WorkflowRule
from customization.workflows.selections import selection_outcome, start_on_selection
from modules.analytics.acting.sets import CUSTOMER_SETS, record_set
from modules.plan_gate import ensure_in_plan

SELECTION_KEYS = ("cell", "report", "keys", "date_field", "from", "to", "owner", "set", "period", "segment", "cohort")


class MayRunWorkflows(BasePermission):
    """Analytics in the plan, ``analytics.view`` and ``analytics.run_workflows``; the credential's
    ``analytics`` scope (write to start)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        ensure_in_plan(getattr(request, "tenant", None), "analytics")
        user = request.user
        if not (user.has_perm("analytics.view") and user.has_perm("analytics.run_workflows")):
            return False
        write = request.method == "POST"
        if not scope_allows(credential_of(request), "analytics", write=write):
            raise exceptions.PermissionDenied(missing_scope_message("analytics", write=write))
        return True


def as_json(selection: SelectionRun) -> dict[str, Any]:
    return {
        "id": selection.pk,
        "workflow": {"id": selection.rule_id, "name": selection.rule.name},
        "entity": selection.entity,
        "label": selection.label,
        "status": selection.status,
        "status_text": selection.status_text,
        "resumes_at": selection.resumes_at.isoformat() if selection.resumes_at else None,
        "total": selection.total,
        "started": selection.started,
        "not_started": selection.not_started,
        "runs": selection_outcome(selection),
        "created_at": selection.created_at.isoformat(),
        "finished_at": selection.finished_at.isoformat() if selection.finished_at else None,
    }


SELECTION = inline_serializer(
    name="WorkflowSelection",
    fields={
        "id": serializers.IntegerField(),
        "workflow": serializers.DictField(),
        "entity": serializers.CharField(),
        "label": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["queued", "starting", "waiting", "started"]),
        "status_text": serializers.CharField(
            help_text="The status in words: waiting says when the rate limit lets it go on (HH:MM)."
        ),
        "resumes_at": serializers.DateTimeField(
            allow_null=True, help_text="While waiting for the rate limit: when the next runs start."
        ),
        "total": serializers.IntegerField(),
        "started": serializers.IntegerField(),
        "not_started": serializers.IntegerField(),
        "runs": serializers.DictField(child=serializers.IntegerField(), help_text="Runs by status."),
        "created_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True),
    },
)
START = inline_serializer(
    name="WorkflowSelectionStart",
    fields={
        "workflow": serializers.IntegerField(),
        "entity": serializers.CharField(required=False),
        "expected_count": serializers.IntegerField(required=False),
        "cell": serializers.CharField(required=False, help_text="A report run row's `cell`."),
        "report": serializers.IntegerField(required=False),
        "keys": serializers.ListField(required=False, help_text="The group's keys, one per grouping."),
        "set": serializers.ChoiceField(choices=["churn", "rfm", "cohort"], required=False),
        "period": serializers.IntegerField(required=False),
        "segment": serializers.CharField(required=False),
        "cohort": serializers.CharField(required=False, help_text="YYYY-MM"),
    },
)


def selection_params(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """The record set's parameters of a request body: texts or numbers (``keys`` as given), each
    refused by name when it is not; a customer set also needs a key's ``sales`` read scope."""
    params = {key: data[key] for key in SELECTION_KEYS if key in data and data[key] is not None}
    for key, value in params.items():
        if key != "keys" and (not isinstance(value, str | int) or isinstance(value, bool) or len(str(value)) > 8_000):
            raise ValidationError({key: [_("Enter a text or a number.")]})
    params = {key: value if key == "keys" else str(value) for key, value in params.items()}
    if params.get("set") in CUSTOMER_SETS and not scope_allows(credential_of(request), "sales", write=False):
        raise exceptions.PermissionDenied(missing_scope_message("sales", write=False))
    return params


def _whole(data: Any, name: str, *, required: bool) -> int | None:
    raw = data.get(name)
    if raw in (None, "") and not required:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit() or len(str(raw)) > 12:
        raise ValidationError({name: [_("Enter a whole number.")]})
    return int(raw)


class WorkflowSelectionsView(APIView):
    """Start a workflow on the records of a report group or a customer analysis."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [IsAuthenticated, MayRunWorkflows]

    @extend_schema(operation_id="analytics_workflow_selection_start", request=START, responses={202: SELECTION})
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        user = acting_user(request)
        params = selection_params(request, data)
        selection = record_set(params, user, api_access(request))
        entities = selection.entities()
        entity = str(data.get("entity") or (entities[0] if entities else ""))
        if entities and entity not in entities:
            raise ValidationError({"entity": [_("Choose one of the record types of the selection.")]})
        rule = WorkflowRule.objects.filter(pk=_whole(data, "workflow", required=True) or 0).first()
        started = start_on_selection(
            rule=rule, entity=entity or "company", record_ids=selection.ids.get(entity, []), by=user,
            label=selection.label, expected_count=_whole(data, "expected_count", required=False),
        )  # fmt: skip
        return Response(as_json(started), status=202)


class WorkflowSelectionView(APIView):
    """How the runs of one of the caller's selections went."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = [IsAuthenticated, MayRunWorkflows]

    @extend_schema(operation_id="analytics_workflow_selection", responses={200: SELECTION})
    def get(self, request: Request, pk: int) -> Response:
        selection = get_object_or_404(SelectionRun.objects.select_related("rule"), pk=pk, requested_by=request.user)
        return Response(as_json(selection))
