"""REST endpoints of consent and subscriptions (marketing module), from ``api.entities.consent``:

- ``/api/v1/topics/``: subscription topics; reading needs ``marketing.view``, writing
  ``marketing.admin`` (the settings page's permission) and the ``marketing:write`` scope. A topic
  with consents or history is not deleted (400 naming ``topic``): set ``is_active`` false.
- ``/api/v1/consents/``: each visible contact's consent per topic; POST grants or withdraws one
  through ``record_consent`` with source ``api`` and the caller's credential as proof
  (``marketing.change``, as recording consent on the contact's page).
- ``/api/v1/consent-events/``: the history, newest first, read-only (it is append-only).
- ``/api/v1/suppressions/``: the suppression list (``?search=`` part of an address); POST adds an
  address, DELETE takes one off the list (audited) — both ``marketing.admin``.
Consents and history name their contact only to a caller whose role and key may read contacts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.auth.credentials import credential_of
from api.entities.base import EntityDescription
from api.entities.consent import CONSENT, CONSENT_EVENT, SUPPRESSION, TOPIC
from api.entities.rest import filterset_for, ordering_parameter, serializer_fields
from api.rest.contacts.serializers import contact_field, contact_summary
from api.rest.records import (
    RECORD_PERMISSIONS,
    USER_SUMMARY_SCHEMA,
    LinkRuleMixin,
    OrderingCursorPagination,
    RecordViewSet,
    RelatedByIdField,
    ServiceSerializer,
    acting_user,
    user_summary,
)
from api.rest.schema import RecordAutoSchema
from api.rest.sparse import Fieldset, parse_fieldset, restrict
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent
from modules.marketing.consent.services.suppression import add_suppression, remove_suppression
from modules.marketing.models import Suppression, Topic

ADMIN_WRITES = {"create": "admin", "update": "admin", "partial_update": "admin", "destroy": "admin", "bulk": "admin"}
TOPIC_SUMMARY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "key": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id", "key", "name"],
}


def topic_summary(topic: Topic | None) -> dict[str, Any] | None:
    return None if topic is None else {"id": topic.pk, "key": topic.key, "name": topic.name}


class TopicSerializer(ServiceSerializer):
    entity = TOPIC

    class Meta:
        model = Topic
        fields = serializer_fields(TOPIC)
        read_only_fields = TOPIC.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "description": {"required": False},
            "position": {"required": False},
            "is_active": {"required": False},
        }


TOPIC_ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in TOPIC.orderings for value in (item.name, f"-{item.name}")],
)


@extend_schema_view(list=extend_schema(parameters=[TOPIC_ORDERING]))
class TopicViewSet(RecordViewSet):
    """Subscription topics in id order (``?is_active=true`` for those offered); writes need
    ``marketing.admin``. Every role with ``marketing.view`` sees every topic."""

    entity = TOPIC
    serializer_class = TopicSerializer
    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES

    def get_queryset(self) -> QuerySet[Topic]:
        return self.base_queryset()


class SparseFieldsMixin:
    """A serializer answering only the ``?fields=`` the view parsed (``fieldset`` in its context)."""

    def get_fields(self) -> dict[str, Any]:
        return restrict(super().get_fields(), self.context.get("fieldset"))  # type: ignore[misc, attr-defined]


class MarketingListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]):
    """A marketing list from an entity description (``entity``): its filters, its orderings
    (documented), cursor pages and ``?fields=`` (sparse fieldsets, documented), like the record
    resources, for record types that are not written as records (a consent is moved, the history
    appended to, a score computed)."""

    entity: ClassVar[EntityDescription]
    filterset_class: ClassVar[type[Any]]
    ordering_fields: ClassVar[tuple[str, ...]] = ()
    module = "marketing"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = OrderingCursorPagination
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "head", "options"]
    schema = RecordAutoSchema()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        entity: EntityDescription | None = cls.__dict__.get("entity")
        if entity is None:
            return
        cls.filterset_class = filterset_for(entity)
        cls.ordering_fields = tuple(ordering.name for ordering in entity.orderings)
        extend_schema_view(list=extend_schema(parameters=[ordering_parameter(entity)]))(cls)

    def fieldset(self) -> Fieldset | None:
        """The ``?fields=`` of a list or detail request (None: every field), parsed once."""
        if self.action not in ("list", "retrieve"):
            return None
        if not hasattr(self, "_fieldset"):
            self._fieldset = parse_fieldset(self.request, self.entity, list)
        return self._fieldset

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["fieldset"] = self.fieldset()
        return context


def shown_contact() -> RelatedByIdField:
    """The contact as ``{id, full_name}``; null by the link rule (``LinkRuleMixin``)."""
    return RelatedByIdField(Contact, contact_summary, owner_field="owner", read_only=True)


class ConsentSerializer(SparseFieldsMixin, LinkRuleMixin, serializers.ModelSerializer[Consent]):
    contact = shown_contact()
    topic = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = CONSENT.field_names
        read_only_fields = fields

    @extend_schema_field(TOPIC_SUMMARY_SCHEMA)
    def get_topic(self, consent: Consent) -> dict[str, Any] | None:
        return topic_summary(consent.topic)


class ConsentChangeSerializer(serializers.Serializer[Any]):
    contact = contact_field()
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.all(), help_text="A Topic id.")
    status = serializers.ChoiceField(
        choices=[ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN], help_text="granted or withdrawn."
    )
    proof = serializers.DictField(
        required=False,
        help_text="What proves the change (a note, a form, a ticket): text, numbers and yes/no values; "
        "the API key or user making the call is added.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].required = True
        self.fields["contact"].allow_null = False


def consent_rows(request: Request) -> QuerySet[Consent]:
    """The consents of the contacts the caller may see."""
    contacts = visible_contacts(acting_user(request)).values("pk")
    return Consent.objects.filter(contact__in=contacts).select_related("contact", "topic").order_by("id")


class ConsentViewSet(mixins.CreateModelMixin, MarketingListViewSet):
    """Consent per contact and topic. POST ``{contact, topic, status: granted|withdrawn, proof}``
    records a change (nothing is recorded when the status is already that one) and answers the
    consent as it now is."""

    entity = CONSENT
    serializer_class = ConsentSerializer
    action_permissions: ClassVar[dict[str, str]] = {"create": "change"}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Consent]:
        return consent_rows(self.request)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return ConsentChangeSerializer if self.action == "create" else ConsentSerializer

    @extend_schema(request=ConsentChangeSerializer, responses={200: ConsentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        change = ConsentChangeSerializer(data=request.data, context=self.get_serializer_context())
        change.is_valid(raise_exception=True)
        values = change.validated_data
        credential = credential_of(request)
        proof = {**values.get("proof", {}), "credential": credential.id if credential else ""}
        with transaction.atomic():
            record_consent(
                values["contact"], values["topic"], granted=values["status"] == ConsentStatus.GRANTED,
                source=ConsentSource.API, proof=proof, by=acting_user(request),
            )  # fmt: skip
        # A topic was named, so the consent row exists (None only for "every topic").
        fresh = consent_rows(request).get(contact=values["contact"], topic=values["topic"])
        return Response(ConsentSerializer(fresh, context=self.get_serializer_context()).data)


class ConsentEventSerializer(SparseFieldsMixin, LinkRuleMixin, serializers.ModelSerializer[ConsentEvent]):
    contact = shown_contact()
    topic = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ConsentEvent
        fields = CONSENT_EVENT.field_names
        read_only_fields = fields

    @extend_schema_field(TOPIC_SUMMARY_SCHEMA)
    def get_topic(self, event: ConsentEvent) -> dict[str, Any] | None:
        return topic_summary(event.topic)

    @extend_schema_field(USER_SUMMARY_SCHEMA)
    def get_actor(self, event: ConsentEvent) -> dict[str, Any] | None:
        return user_summary(event.actor)


class NewestFirstPagination(OrderingCursorPagination):
    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        if not request.query_params.get("ordering", "").strip():
            return ("-occurred_at", "-id")
        return super().get_ordering(request, queryset, view)


class ConsentEventViewSet(MarketingListViewSet):
    """The consent history of the contacts you can see, newest first (``ordering=occurred_at``
    for oldest first). Entries are never changed or removed (except with their contact)."""

    entity = CONSENT_EVENT
    serializer_class = ConsentEventSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self) -> QuerySet[ConsentEvent]:
        contacts = visible_contacts(acting_user(self.request)).values("pk")
        rows = ConsentEvent.objects.filter(contact__in=contacts).select_related("contact", "topic", "actor")
        return rows.order_by("id")


class SuppressionSerializer(SparseFieldsMixin, serializers.ModelSerializer[Suppression]):
    reason = serializers.ChoiceField(
        choices=SuppressionReason.choices, required=False, help_text=_("Why it is suppressed.")
    )

    class Meta:
        model = Suppression
        fields = SUPPRESSION.field_names
        read_only_fields = SUPPRESSION.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {"detail": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> Suppression:
        return add_suppression(by=self.context["request"].user, **validated_data)


class SuppressionViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, MarketingListViewSet):
    """Addresses no marketing message goes to, in id order. POST suppresses an address (the same
    row when it already is); DELETE takes it off the list — its contacts have to consent again.
    Both need ``marketing.admin``."""

    entity = SUPPRESSION
    serializer_class = SuppressionSerializer
    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Suppression]:
        return Suppression.objects.order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance: Suppression) -> None:
        with transaction.atomic():
            remove_suppression(instance, by=acting_user(self.request))
