"""``workflowSelection(id)``: how a workflow started on a selection by the caller stands — its
status in words (waiting for the rate limit says when it goes on), runs started and their outcome
(analytics module, ``analytics.view`` and ``analytics.run_workflows``, scope ``analytics:read``).
Someone else's selection, or one of another workspace, is null."""

from __future__ import annotations

from typing import Any

import graphene
from django.utils.translation import gettext as _
from graphql import GraphQLError

from api.graphql.analytics.mutations.workflow_selection_start import WorkflowSelectionType, _as_type
from api.graphql.core import require_module, require_permission
from customization.workflows.models import SelectionRun


class AnalyticsWorkflowSelectionQueries(graphene.ObjectType):
    workflow_selection = graphene.Field(
        WorkflowSelectionType,
        id=graphene.Int(required=True, description="The id workflowSelectionStart returned."),
        description="A workflow the caller started on a selection, and how far it got (null: none of theirs).",
    )

    @staticmethod
    def resolve_workflow_selection(root: Any, info: Any, id: int) -> WorkflowSelectionType | None:
        require_module(info, "analytics")
        user = require_permission(info, "analytics.view")
        if not user.has_perm("analytics.run_workflows"):
            raise GraphQLError(_("You do not have permission to do this."), extensions={"code": "PERMISSION_DENIED"})
        selection = SelectionRun.objects.select_related("rule").filter(pk=id, requested_by=user).first()
        return None if selection is None else _as_type(selection)
