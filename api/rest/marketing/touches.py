"""REST endpoints of campaign touches (marketing module), read only, from their entity description:

- ``/api/v1/campaign-touches/``: every touch of the campaigns the caller may see, filtered by
  campaign, kind, the contact, lead or deal it was recorded on, and time;
- ``/api/v1/contacts|leads|deals/<id>/campaign-touches/``: the touches that count for one record,
  newest first — a contact's or a lead's own, a deal's by the attribution rule (on the deal, and
  before its creation on its contact, its company's contacts and its lead), as its page's
  "Campaigns" card lists them. The record must be one the caller may open (else 404).

``marketing.view`` and the ``marketing:read`` scope are needed, and the module in the plan. A
touch's contact, lead or deal reads as null when the caller may not see it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound

from api.entities.links import api_access
from api.entities.rest import ordering_parameter, serializer_fields
from api.entities.touches import CAMPAIGN_TOUCH
from api.rest.activities.serializers import deal_summary, lead_summary
from api.rest.contacts.serializers import contact_summary
from api.rest.marketing.campaigns import campaign_field
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, RecordViewSet, RelatedByIdField, ServiceSerializer, acting_user
from modules.contacts.models import Contact
from modules.marketing.attribution.models import Touch
from modules.marketing.attribution.record_touches import record_touches
from modules.marketing.selectors.campaigns import visible_campaigns
from modules.sales.models import Deal, Lead

RECORD_MODELS: dict[str, type[Model]] = {"contact": Contact, "lead": Lead, "deal": Deal}


class CampaignTouchSerializer(ServiceSerializer):
    """A campaign reaching one contact, lead or deal; the other two links are null."""

    entity = CAMPAIGN_TOUCH
    campaign = campaign_field(read_only=True)
    contact = RelatedByIdField(Contact, contact_summary, read_only=True)
    lead = RelatedByIdField(Lead, lead_summary, read_only=True)
    deal = RelatedByIdField(Deal, deal_summary, read_only=True)

    class Meta:
        model = Touch
        fields = serializer_fields(CAMPAIGN_TOUCH)
        read_only_fields = fields


def visible_touches(request: Any, touches: QuerySet[Touch]) -> QuerySet[Touch]:
    """``touches`` of the campaigns the caller may see (by the campaign's owner)."""
    return touches.filter(campaign__in=visible_campaigns(acting_user(request)).values("pk"))


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(CAMPAIGN_TOUCH)]))
class CampaignTouchViewSet(RecordViewSet):
    """Touches of the campaigns you can see, in id order: ``?contact=``, ``?lead=`` and ``?deal=``
    find the touches recorded on that record (a deal's influencing touches are
    ``/deals/<id>/campaign-touches/``). Read only: the apps that see a response record them."""

    entity = CAMPAIGN_TOUCH
    serializer_class = CampaignTouchSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return visible_touches(self.request, self.base_queryset())


class RecordTouchPagination(IdCursorPagination):
    ordering = ("-occurred_at", "-id")


class RecordTouchesView(generics.ListAPIView):  # type: ignore[type-arg]
    """The campaign touches that count for this record, newest first, in cursor pages: its own for a
    contact or a lead; for a deal those attribution counts (on the deal, and before its creation on
    its contact, its company's contacts and its lead). Only campaigns you can see."""

    subject: ClassVar[str] = ""
    module = "marketing"
    permission_classes = RECORD_PERMISSIONS
    serializer_class = CampaignTouchSerializer
    pagination_class = RecordTouchPagination
    filter_backends = []  # type: ignore[var-annotated]
    queryset = Touch.objects.none()  # the model, for the document; rows come from get_queryset

    def record(self) -> Model:
        """The contact, lead or deal of the path, if the caller may open it (else 404)."""
        model = RECORD_MODELS[self.subject]
        record = model._default_manager.filter(pk=self.kwargs["pk"]).first()
        if record is None or api_access(self.request).shown(record) is None:
            raise NotFound()
        return record

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the document is being built: no record
            return Touch.objects.none()
        touches = record_touches(self.subject, self.record()).select_related("campaign", "contact", "lead", "deal")
        return visible_touches(self.request, touches)


def record_touches_view(subject: str) -> Any:
    """The view of one kind of record's touches, documented with that record's id."""
    record_id = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {subject}'s id.")
    view: type[RecordTouchesView] = type(
        f"{subject.title()}TouchesView",
        (RecordTouchesView,),
        {"subject": subject, "__doc__": RecordTouchesView.__doc__},
    )
    return extend_schema_view(get=extend_schema(parameters=[record_id]))(view).as_view()
