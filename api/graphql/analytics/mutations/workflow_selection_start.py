"""``workflowSelectionStart``: start one of the tenant's workflows on the records of a report's group
or a customer analysis (``analytics.view`` and ``analytics.run_workflows``, scope
``analytics:write``; a customer analysis reads orders, so ``sales:read`` too). The selection is
named as on REST (``modules.analytics.acting.sets``); the runs are queued in batches."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.http import Http404
from django.utils.translation import gettext as _

from api.auth.credentials import credential_of, scope_allows
from api.entities.links import api_access
from api.graphql.core import MutationFailed, RecordMutation, error_type
from customization.workflows.models import SelectionRun, WorkflowRule
from customization.workflows.selections import selection_outcome, start_on_selection
from identity.models import User
from modules.analytics.acting.sets import CUSTOMER_SETS, RecordSet, record_set


class WorkflowSelectionType(graphene.ObjectType):
    """A workflow started on a selection of records, and how far it got."""

    id = graphene.Int(required=True)
    workflow_name = graphene.String(required=True)
    entity = graphene.String(required=True)
    label = graphene.String(required=True)
    status = graphene.String(required=True, description="queued, starting, waiting (for the rate limit) or started.")
    status_text = graphene.String(
        required=True, description="The status in words: waiting says when the rate limit lets it go on (HH:MM)."
    )
    resumes_at = graphene.DateTime(description="While waiting for the rate limit: when the next runs start.")
    total = graphene.Int(required=True)
    started = graphene.Int(required=True)
    not_started = graphene.Int(required=True)
    succeeded = graphene.Int(required=True)
    failed = graphene.Int(required=True)

    class Meta:
        name = "WorkflowSelection"


def _as_type(selection: SelectionRun) -> WorkflowSelectionType:
    outcome = selection_outcome(selection)
    return WorkflowSelectionType(
        id=selection.pk, workflow_name=selection.rule.name, entity=selection.entity, label=selection.label,
        status=selection.status, status_text=selection.status_text, resumes_at=selection.resumes_at,
        total=selection.total, started=selection.started,
        not_started=selection.not_started, succeeded=outcome["succeeded"], failed=outcome["failed"],
    )  # fmt: skip


def selection_of(info: Any, user: User, data: dict[str, Any]) -> RecordSet:
    """The record set a mutation's arguments name, as ``user`` may see it; a customer set also needs
    a key's ``sales`` read scope, and a group from elsewhere is ``NOT_FOUND`` on ``cell``."""
    params = {
        key: data[key] if key == "keys" else str(data[key])
        for key in ("cell", "report", "keys", "set", "period", "segment", "cohort")
        if data.get(key) is not None
    }
    if params.get("set") in CUSTOMER_SETS and not scope_allows(credential_of(info.context), "sales", write=False):
        raise MutationFailed("set", _("This credential's scopes do not allow reading sales."), "PERMISSION_DENIED")
    try:
        return record_set(params, user, api_access(info.context))
    except Http404:
        raise MutationFailed("cell", _("No such report group here."), "NOT_FOUND") from None


class WorkflowSelectionStart(RecordMutation):
    """Run a workflow (by its numeric id) on a report group (``cell`` from a report run's row, or
    ``report`` and ``keys``) or a customer set (``set``: churn, rfm, cohort, with ``period``,
    ``segment``, ``cohort``)."""

    module: ClassVar[str] = "analytics"
    permission: ClassVar[str] = "analytics.run_workflows"

    class Arguments:
        workflow = graphene.Int(required=True)
        entity = graphene.String(description="company or contact, for customer sets.")
        expected_count = graphene.Int(description="The count shown; refused if the selection changed.")
        cell = graphene.String()
        report = graphene.Int()
        keys = graphene.List(graphene.String, description="The group's keys (null for an empty value).")
        set = graphene.String()
        period = graphene.Int()
        segment = graphene.String()
        cohort = graphene.String(description="YYYY-MM")

    selection = graphene.Field(WorkflowSelectionType)
    errors = graphene.List(graphene.NonNull(error_type("WorkflowSelectionStart")), required=True)

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        if not user.has_perm("analytics.view"):
            raise MutationFailed(None, _("You do not have permission to do this."), "PERMISSION_DENIED")
        selection = selection_of(info, user, data)
        entities = selection.entities()
        entity = data.get("entity") or (entities[0] if entities else "company")
        if entities and entity not in entities:
            raise MutationFailed("entity", _("Choose one of the record types of the selection."))
        started = start_on_selection(
            rule=WorkflowRule.objects.filter(pk=data["workflow"]).first(), entity=entity,
            record_ids=selection.ids.get(entity, []), by=user, label=selection.label,
            expected_count=data.get("expected_count"),
        )  # fmt: skip
        return {"selection": _as_type(started)}
