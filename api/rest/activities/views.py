"""REST endpoints of activities: CRUD, complete (with a follow-up) and cancel."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import filters
from api.rest.activities.serializers import ActivitySerializer, CompleteSerializer
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.records import acting_user
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import (
    FollowUp,
    cancel_activity,
    complete_activity,
    create_activity,
    delete_activity,
    update_activity,
)


class ActivityFilter(django_filters.FilterSet):
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)
    company = django_filters.NumberFilter(field_name="company_id")
    contact = django_filters.NumberFilter(field_name="contact_id")
    lead = django_filters.NumberFilter(field_name="lead_id")
    deal = django_filters.NumberFilter(field_name="deal_id")
    due_after = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")
    q = filters.search("subject")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Activity
        fields: list[str] = []


class ActivityViewSet(CustomFieldsRecordViewSet):
    """Activities assigned to users whose records the user may see. Filters: assignee, kind, status,
    company, contact, lead, deal, due_after, due_before, q, updated_after, ``custom.<key>[.<op>]``; ``ordering=``
    created_at, updated_at, ``custom.<key>`` (``-`` for descending)."""

    module = "activities"
    owner_field = "assignee"
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ("created_at", "updated_at")
    action_permissions: ClassVar[dict[str, str]] = {"complete": "change", "cancel": "change"}
    create_service = staticmethod(create_activity)
    update_service = staticmethod(update_activity)
    delete_service = staticmethod(delete_activity)

    def base_queryset(self) -> QuerySet[Activity]:
        return Activity.objects.select_related(
            "assignee", "company", "contact", "lead", "deal", "completed_by"
        ).order_by("id")

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

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel an open activity."""
        activity = self.get_object()
        with transaction.atomic():
            cancel_activity(activity, by=acting_user(request))
        return Response(
            ActivitySerializer(self.retrieve_fresh(activity.pk), context=self.get_serializer_context()).data
        )
