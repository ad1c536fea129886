"""REST endpoints of activities: CRUD, complete (with a follow-up) and cancel."""

from __future__ import annotations

from typing import ClassVar

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import ACTIVITY
from api.rest.activities.serializers import ActivitySerializer, ActivityUpdateSerializer, CompleteSerializer
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.records import acting_user
from modules.activities.services.activities import FollowUp, cancel_activity, complete_activity

COMPLETION = inline_serializer(
    name="ActivityCompletion",
    fields={
        "activity": ActivitySerializer(help_text="The completed activity."),
        "follow_up": ActivitySerializer(allow_null=True, help_text="The follow-up planned, or null."),
    },
)


@extend_schema_view(partial_update=extend_schema(request=ActivityUpdateSerializer))
class ActivityViewSet(CustomFieldsRecordViewSet):
    """Activities assigned to users whose records the user may see: filters and orderings below (also
    ``custom.<key>[.<op>]`` and ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for
    up to 500 at once."""

    entity = ACTIVITY
    serializer_class = ActivitySerializer
    action_permissions: ClassVar[dict[str, str]] = {"complete": "change", "cancel": "change"}

    @extend_schema(request=CompleteSerializer, responses=COMPLETION)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark done with ``outcome`` and ``outcome_note``; ``follow_up`` {kind, subject, due_at}
        plans the next step."""
        activity = self.get_object()
        serializer = CompleteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        follow_up = values["follow_up"]
        with transaction.atomic():
            done, next_activity = complete_activity(
                activity,
                by=acting_user(request),
                outcome=values["outcome"],
                outcome_note=values["outcome_note"],
                follow_up=FollowUp(**follow_up) if follow_up else None,
            )
        context = self.get_serializer_context()
        return Response(
            {
                "activity": ActivitySerializer(self.retrieve_fresh(done.pk), context=context).data,
                "follow_up": (
                    ActivitySerializer(self.retrieve_fresh(next_activity.pk), context=context).data
                    if next_activity is not None
                    else None
                ),
            }
        )

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel an open activity."""
        activity = self.get_object()
        with transaction.atomic():
            cancel_activity(activity, by=acting_user(request))
        return Response(
            ActivitySerializer(self.retrieve_fresh(activity.pk), context=self.get_serializer_context()).data
        )
