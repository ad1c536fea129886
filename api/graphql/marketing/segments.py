"""GraphQL of segments and static lists (marketing module): the ``Segment`` type (fields from the
entity description) with its ``members`` (each contact null when you may not see it), the root
connection ``segments``, and the mutations ``segmentCreate/Update/Delete`` and
``segmentMembersAdd/Remove`` (a static list's contacts). Wrong rules come back as errors whose
``field`` is the path of the part at fault (``rules.conditions[1].value``). Every role with
``marketing.view`` sees every segment, as on the pages."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from graphene.types.generic import GenericScalar

from api.entities import SEGMENT
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
    global_id_to_pk,
    input_values,
    nested_connection,
    reloaded,
    resolve_reference,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.forms import MarketingType
from identity.models import User
from modules.marketing.choices import MembershipSource, SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments.services import (
    add_to_list,
    create_segment,
    delete_segment,
    remove_from_list,
    update_segment,
)

SegmentKindEnum = choice_enum(SegmentKind, "Dynamic: members follow the rules; static: a list kept by hand.")
MembershipSourceEnum = choice_enum(MembershipSource, "How a contact came into a segment.")
MAX_CONTACTS_PER_CALL = 1000


class SegmentMemberType(MarketingType):
    """A contact in a segment."""

    contact = graphene.Field(ContactType, description="Null when you may not see the contact.")
    source = choice_field(MembershipSourceEnum, "source")

    class Meta:
        model = SegmentMember
        name = "SegmentMember"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("contact", "source", "added_at")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[SegmentMember], info: Any) -> QuerySet[SegmentMember]:
        contacts = visible_contacts(info.context.user)
        return super().get_queryset(queryset, info).prefetch_related(Prefetch("contact", queryset=contacts))

    @staticmethod
    def resolve_contact(root: SegmentMember, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


class SegmentMemberConnection(CountableConnection):
    class Meta:
        node = SegmentMemberType


class SegmentType(MarketingType):
    """A segment of contacts: dynamic (rules evaluated in the database) or a static list."""

    kind = choice_field(SegmentKindEnum, "kind")
    rules = GenericScalar(required=True)
    owner = graphene.Field(UserType)
    members = graphene.relay.ConnectionField(SegmentMemberConnection, description="Its contacts, oldest first.")

    class Meta:
        model = Segment
        name = SEGMENT.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SEGMENT)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Segment], info: Any) -> QuerySet[Segment]:
        return super().get_queryset(queryset, info).select_related("owner")

    @staticmethod
    def resolve_members(root: Segment, info: Any, **args: Any) -> Any:
        queryset = SegmentMemberType.get_queryset(SegmentMember.objects.order_by("id"), info)
        return nested_connection(info, SegmentMemberConnection, queryset, "segment", root.pk, args)


describe_fields(SegmentType, SEGMENT)


class MarketingSegmentQueries(graphene.ObjectType):
    segments = ConnectionField(
        SegmentType,
        **connection_arguments(SEGMENT),
        description="Segments and static lists (marketing module).",
    )

    def resolve_segments(self, info: Any, **args: Any) -> QuerySet[Segment]:
        queryset = filter_records(SEGMENT, Segment.objects.all(), args)
        contact = args.get("contact")
        if contact is not None:  # whose segments a hidden contact is in is not for this caller
            pk = global_id_to_pk(contact, "Contact")
            if pk is None or not visible_contacts(info.context.user).filter(pk=pk).exists():
                return queryset.none()
        return queryset


class SegmentInput(graphene.InputObjectType):
    name = graphene.String(description="Required on create; unique in the workspace.")
    description = graphene.String()
    kind = graphene.InputField(SegmentKindEnum, description="DYNAMIC when not given; set on creation.")
    rules = GenericScalar(description="A dynamic segment's rules (see Segment.rules).")
    owner = graphene.ID(description="A User id.")


def segment_values(info: Any, data: Any) -> dict[str, Any]:
    values = input_values(data, references={"owner": UserType}, info=info)
    if values.get("description", "") is None:
        values["description"] = ""
    if "kind" in values and values["kind"] is None:
        values.pop("kind")
    return values


class SegmentCreate(RecordMutation):
    """Create a segment or a static list; a dynamic segment's members are evaluated just after."""

    class Arguments:
        input = SegmentInput(required=True)

    segment = graphene.Field(SegmentType)
    errors = graphene.List(graphene.NonNull(error_type("SegmentCreate")), required=True)

    module = SEGMENT.module
    permission = SEGMENT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        return {"segment": reloaded(SegmentType, info, create_segment(by=user, **segment_values(info, data["input"])))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name"})


class SegmentUpdate(RecordMutation):
    """Change the fields sent in ``input`` (a segment keeps its kind)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = SegmentInput(required=True)

    segment = graphene.Field(SegmentType)
    errors = graphene.List(graphene.NonNull(error_type("SegmentUpdate")), required=True)

    module = SEGMENT.module
    permission = SEGMENT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        segment = resolve_reference(info, data["id"], SegmentType, "id")
        update_segment(segment, by=user, **segment_values(info, data["input"]))
        return {"segment": reloaded(SegmentType, info, segment)}


class SegmentDelete(RecordMutation):
    """Delete a segment with its memberships (the contacts stay)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the segment had.")
    errors = graphene.List(graphene.NonNull(error_type("SegmentDelete")), required=True)

    module = SEGMENT.module
    permission = SEGMENT.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_segment(resolve_reference(info, data["id"], SegmentType, "id"), by=user)
        return {"deleted_id": data["id"]}


def _static_list(info: Any, global_id: str) -> Segment:
    segment: Segment = resolve_reference(info, global_id, SegmentType, "id")
    if segment.kind != SegmentKind.STATIC:
        raise MutationFailed(
            "id", _("This segment is dynamic: its rules choose its members. Only a static list takes contacts by hand.")
        )
    return segment


def _contact_ids(info: Any, ids: list[str]) -> list[int]:
    if not ids or len(ids) > MAX_CONTACTS_PER_CALL:
        raise MutationFailed("contacts", _("Give from 1 to %(count)d contacts.") % {"count": MAX_CONTACTS_PER_CALL})
    wanted = {global_id_to_pk(item, "Contact") for item in ids}
    numbers = {pk for pk in wanted if pk is not None}
    found = set(visible_contacts(info.context.user).filter(pk__in=numbers).values_list("pk", flat=True))
    if None in wanted or found != numbers:
        raise MutationFailed("contacts", _("No such contact, or not one you can see."), "NOT_FOUND")
    return sorted(found)


class SegmentMembersAdd(RecordMutation):
    """Add contacts you can see to a static list (those already in it stay)."""

    class Arguments:
        id = graphene.ID(required=True, description="The static list.")
        contacts = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Contact ids.")

    segment = graphene.Field(SegmentType)
    changed = graphene.Int(description="How many contacts entered the list.")
    errors = graphene.List(graphene.NonNull(error_type("SegmentMembersAdd")), required=True)

    module = SEGMENT.module
    permission = SEGMENT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        segment = _static_list(info, data["id"])
        changed = add_to_list(segment, _contact_ids(info, data["contacts"]), by=user)
        return {"segment": reloaded(SegmentType, info, segment), "changed": changed}


class SegmentMembersRemove(RecordMutation):
    """Take contacts out of a static list."""

    class Arguments:
        id = graphene.ID(required=True, description="The static list.")
        contacts = graphene.List(graphene.NonNull(graphene.ID), required=True, description="Contact ids.")

    segment = graphene.Field(SegmentType)
    changed = graphene.Int(description="How many contacts left the list.")
    errors = graphene.List(graphene.NonNull(error_type("SegmentMembersRemove")), required=True)

    module = SEGMENT.module
    permission = SEGMENT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        segment = _static_list(info, data["id"])
        changed = remove_from_list(segment, _contact_ids(info, data["contacts"]), by=user)
        return {"segment": reloaded(SegmentType, info, segment), "changed": changed}


class MarketingSegmentMutations(graphene.ObjectType):
    segment_create = SegmentCreate.Field()
    segment_update = SegmentUpdate.Field()
    segment_delete = SegmentDelete.Field()
    segment_members_add = SegmentMembersAdd.Field()
    segment_members_remove = SegmentMembersRemove.Field()
