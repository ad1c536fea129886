"""REST endpoints of the contact centre (service module), read only, from
``api.entities.contact_centre``:

- ``/api/v1/calls/``: phone calls in and out, newest first unless ordered (as the call pages, to
  every role with ``service.view``);
- ``/api/v1/sms-messages/``: SMS sent to customers about the cases you can see;
- ``/api/v1/csat-answers/``: the customers' satisfaction answers about the cases you can see
  (surveys not answered yet are left out).
Contacts, companies, leads, activities and cases are shown only to callers whose role and key may
see them (the link rule), otherwise null."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request

from api.entities.contact_centre import CALL, CSAT_ANSWER, SMS_MESSAGE
from api.entities.rest import ordering_parameter, serializer_fields
from api.rest.activities.serializers import lead_summary
from api.rest.contacts.serializers import company_summary, contact_summary
from api.rest.records import (
    OrderingCursorPagination,
    RecordViewSet,
    RelatedByIdField,
    ServiceSerializer,
    acting_user,
    user_field,
)
from api.rest.service.summaries import case_summary, team_summary
from identity.models import Team
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact
from modules.sales.models import Lead
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from modules.service.models import Case
from modules.service.selectors.cases import visible_cases


def activity_summary(activity: Activity | None) -> dict[str, Any] | None:
    if activity is None:
        return None
    return {"id": activity.pk, "kind": activity.kind, "subject": activity.subject, "status": activity.status}


def shown(model: Any, summary: Any) -> RelatedByIdField:
    """A link read as a small object; null by the link rule (``LinkRuleMixin``)."""
    return RelatedByIdField(model, summary, read_only=True)


class CallSerializer(ServiceSerializer):
    entity = CALL
    agent = user_field(read_only=True)
    contact = shown(Contact, contact_summary)
    company = shown(Company, company_summary)
    lead = shown(Lead, lead_summary)
    activity = shown(Activity, activity_summary)

    class Meta:
        model = Call
        fields = serializer_fields(CALL)
        read_only_fields = fields


class SmsMessageSerializer(ServiceSerializer):
    entity = SMS_MESSAGE
    case = shown(Case, case_summary)
    contact = shown(Contact, contact_summary)

    class Meta:
        model = SmsMessage
        fields = serializer_fields(SMS_MESSAGE)
        read_only_fields = fields


class CsatSurveySerializer(ServiceSerializer):
    """An answered satisfaction survey (named after its model, as every record's document is)."""

    entity = CSAT_ANSWER
    case = shown(Case, case_summary)
    contact = shown(Contact, contact_summary)
    agent = user_field(read_only=True)
    team = shown(Team, team_summary)

    class Meta:
        model = CsatSurvey
        fields = serializer_fields(CSAT_ANSWER)
        read_only_fields = fields


class NewestFirstPagination(OrderingCursorPagination):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        if not request.query_params.get("ordering", "").strip():
            return ("-created_at", "-id")
        return super().get_ordering(request, queryset, view)


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(CALL)]))
class CallViewSet(RecordViewSet):
    """Phone calls, newest first (``ordering=`` another order): who called whom, how long, how it
    ended and the activity it was logged as."""

    entity = CALL
    serializer_class = CallSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self) -> QuerySet[Call]:
        return self.base_queryset()


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(SMS_MESSAGE)]))
class SmsMessageViewSet(RecordViewSet):
    """SMS about the cases you can see, newest first: what was sent to whom and whether it arrived."""

    entity = SMS_MESSAGE
    serializer_class = SmsMessageSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self) -> QuerySet[SmsMessage]:
        cases = visible_cases(acting_user(self.request))
        return self.base_queryset().filter(case__in=cases.values("pk"))


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(CSAT_ANSWER)]))
class CsatAnswerViewSet(RecordViewSet):
    """Satisfaction answers about the cases you can see, in id order (``ordering=-answered_at`` for
    the latest): the rating (1-5), the comment, and the agent and queue the case had when solved."""

    entity = CSAT_ANSWER
    serializer_class = CsatSurveySerializer

    def get_queryset(self) -> QuerySet[CsatSurvey]:
        cases = visible_cases(acting_user(self.request))
        return self.base_queryset().filter(answered_at__isnull=False, case__in=cases.values("pk"))
