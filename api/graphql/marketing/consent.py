"""GraphQL of consent and subscriptions (marketing module), from ``api.entities.consent``:
``topics``, ``consents``, ``consentEvents`` (newest first) and ``suppressions``; ``topicCreate`` /
``topicUpdate`` / ``topicDelete``, ``suppressionAdd`` / ``suppressionRemove`` (``marketing.admin``)
and ``consentRecord`` (``marketing.change``: grant or withdraw through ``record_consent`` with
source ``api`` and the caller's credential as proof). Consents and history are those of the
contacts the caller may see; their ``contact`` follows the link rule."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene.types.generic import GenericScalar

from api.auth.credentials import credential_of
from api.entities.consent import CONSENT, CONSENT_EVENT, SUPPRESSION, TOPIC
from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    MutationFailed,
    Node,
    RecordMutation,
    choice_field,
    error_type,
    input_values,
    reloaded,
    resolve_reference,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.forms import MarketingType, marketing_queryset
from identity.models import User
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent
from modules.marketing.consent.services.suppression import add_suppression, remove_suppression
from modules.marketing.consent.services.topics import create_topic, remove_topic, update_topic
from modules.marketing.models import Suppression, Topic

ADMIN = "marketing.admin"
ConsentStatusEnum = choice_enum(ConsentStatus, "Whether the contact may be sent the topic's e-mails.")
ConsentActionEnum = choice_enum(ConsentAction, "What a consent history entry records.")
ConsentSourceEnum = choice_enum(ConsentSource, "Where a consent change came from.")
SuppressionReasonEnum = choice_enum(SuppressionReason, "Why an address is suppressed.")


class TopicType(MarketingType):
    """A subscription topic contacts consent to (newsletter, events…)."""

    class Meta:
        model = Topic
        name = TOPIC.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(TOPIC)


def _of_visible_contacts(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    user = info.context.user
    contacts = visible_contacts(user)
    return (
        marketing_queryset(info, queryset)
        .filter(contact__in=contacts.values("pk"))
        .prefetch_related(Prefetch("contact", queryset=contacts))
    )


class ConsentType(MarketingType):
    """A contact's current consent to a topic."""

    contact = graphene.Field(ContactType)
    topic = graphene.Field(TopicType, required=True)
    status = choice_field(ConsentStatusEnum, "status")
    source = choice_field(ConsentSourceEnum, "source")

    class Meta:
        model = Consent
        name = CONSENT.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CONSENT)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return _of_visible_contacts(info, queryset).select_related("topic")

    @staticmethod
    def resolve_contact(root: Consent, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


class ConsentEventType(MarketingType):
    """One change of a contact's consent with its proof (append-only)."""

    contact = graphene.Field(ContactType)
    topic = graphene.Field(TopicType, description="Null: the change was about every topic.")
    actor = graphene.Field(UserType)
    action = choice_field(ConsentActionEnum, "action")
    source = choice_field(ConsentSourceEnum, "source")
    proof = GenericScalar(required=True, description=CONSENT_EVENT.described_field("proof").description)  # type: ignore[union-attr]

    class Meta:
        model = ConsentEvent
        name = CONSENT_EVENT.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CONSENT_EVENT)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return _of_visible_contacts(info, queryset).select_related("topic", "actor")

    @staticmethod
    def resolve_contact(root: ConsentEvent, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


class SuppressionType(MarketingType):
    """An address no marketing message goes to."""

    reason = choice_field(SuppressionReasonEnum, "reason")

    class Meta:
        model = Suppression
        name = SUPPRESSION.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SUPPRESSION)


for _type, _description in (
    (TopicType, TOPIC),
    (ConsentType, CONSENT),
    (ConsentEventType, CONSENT_EVENT),
    (SuppressionType, SUPPRESSION),
):
    describe_fields(_type, _description)


class ConsentQueries(graphene.ObjectType):
    topics = ConnectionField(TopicType, **connection_arguments(TOPIC), description="Subscription topics.")
    consents = ConnectionField(
        ConsentType, **connection_arguments(CONSENT), description="Consents of the contacts you can see."
    )
    consent_events = ConnectionField(
        ConsentEventType,
        **connection_arguments(CONSENT_EVENT),
        description="Consent history of the contacts you can see, newest first unless ordered.",
    )
    suppressions = ConnectionField(
        SuppressionType, **connection_arguments(SUPPRESSION), description="The suppression list."
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility).

    def resolve_topics(self, info: Any, **args: Any) -> QuerySet[Topic]:
        return filter_records(TOPIC, Topic.objects.all(), args)

    def resolve_consents(self, info: Any, **args: Any) -> QuerySet[Consent]:
        return filter_records(CONSENT, Consent.objects.all(), args)

    def resolve_consent_events(self, info: Any, **args: Any) -> QuerySet[ConsentEvent]:
        rows = filter_records(CONSENT_EVENT, ConsentEvent.objects.all(), args)
        return rows if args.get("order_by") else rows.order_by("-occurred_at", "-id")

    def resolve_suppressions(self, info: Any, **args: Any) -> QuerySet[Suppression]:
        return filter_records(SUPPRESSION, Suppression.objects.all(), args)


class TopicInput(graphene.InputObjectType):
    key = graphene.String(description=TOPIC.described_field("key").description)  # type: ignore[union-attr]
    name = graphene.String()
    description = graphene.String()
    position = graphene.Int()
    is_active = graphene.Boolean()


class TopicCreate(RecordMutation):
    """Create a subscription topic (``marketing.admin``)."""

    class Arguments:
        input = TopicInput(required=True)

    topic = graphene.Field(TopicType)
    errors = graphene.List(graphene.NonNull(error_type("TopicCreate")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        return {"topic": reloaded(TopicType, info, create_topic(by=user, **input_values(data["input"])))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"key", "name"})


class TopicUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a topic (``marketing.admin``)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = TopicInput(required=True)

    topic = graphene.Field(TopicType)
    errors = graphene.List(graphene.NonNull(error_type("TopicUpdate")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        topic = resolve_reference(info, data["id"], TopicType, "id")
        return {"topic": reloaded(TopicType, info, update_topic(topic, by=user, **input_values(data["input"])))}


class TopicDelete(RecordMutation):
    """Delete a topic nobody consented to; one with history is refused (retire it instead)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("TopicDelete")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        remove_topic(resolve_reference(info, data["id"], TopicType, "id"), by=user)
        return {"deleted_id": data["id"]}


GRANTABLE = graphene.Enum("ConsentChange", [("GRANTED", "granted"), ("WITHDRAWN", "withdrawn")])


class ConsentRecord(RecordMutation):
    """Record that a contact you can see gave or withdrew consent to a topic, with ``proof`` (text,
    numbers, yes/no values); source ``api``, your credential added to the proof. Repeating the
    current status records nothing."""

    class Arguments:
        contact = graphene.ID(required=True)
        topic = graphene.ID(required=True)
        status = GRANTABLE(required=True)
        proof = GenericScalar()

    consent = graphene.Field(ConsentType)
    errors = graphene.List(graphene.NonNull(error_type("ConsentRecord")), required=True)

    module = "marketing"
    permission = "marketing.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        contact = resolve_reference(info, data["contact"], ContactType, "contact")
        topic = resolve_reference(info, data["topic"], TopicType, "topic")
        proof = data.get("proof") or {}
        if not isinstance(proof, dict):
            raise MutationFailed("proof", "Give the proof as an object.", "BAD_USER_INPUT")
        credential = credential_of(info.context)
        status = getattr(data["status"], "value", data["status"])
        consent = record_consent(
            contact, topic, granted=status == ConsentStatus.GRANTED, source=ConsentSource.API,
            proof={**proof, "credential": credential.id if credential else ""}, by=user,
        )  # fmt: skip
        return {"consent": reloaded(ConsentType, info, consent)}


class SuppressionAdd(RecordMutation):
    """Suppress an address (``marketing.admin``): its contacts' topics are withdrawn."""

    class Arguments:
        email = graphene.String(required=True)
        reason = SuppressionReasonEnum()
        detail = graphene.String()

    suppression = graphene.Field(SuppressionType)
    errors = graphene.List(graphene.NonNull(error_type("SuppressionAdd")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        row = add_suppression(by=user, **input_values(data))
        return {"suppression": reloaded(SuppressionType, info, row)}


class SuppressionRemove(RecordMutation):
    """Take an address off the suppression list (``marketing.admin``, audited); its contacts have
    to consent again."""

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String(description="Why (kept in the audit log).")

    removed_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(error_type("SuppressionRemove")), required=True)

    module = "marketing"
    permission = ADMIN

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        row = resolve_reference(info, data["id"], SuppressionType, "id")
        remove_suppression(row, by=user, note=data.get("note") or "")
        return {"removed_id": data["id"]}


class ConsentMutations(graphene.ObjectType):
    topic_create = TopicCreate.Field()
    topic_update = TopicUpdate.Field()
    topic_delete = TopicDelete.Field()
    consent_record = ConsentRecord.Field()
    suppression_add = SuppressionAdd.Field()
    suppression_remove = SuppressionRemove.Field()
