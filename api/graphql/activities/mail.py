"""GraphQL types and root fields of e-mail threads and messages of the connected mailboxes and of
meeting attendees, from their entity descriptions (``mailThreads``, ``mailMessages``,
``meetingAttendees``; activities module, ``activities.view``; read only). Threads and messages
follow ``modules.mailboxes.access``: a colleague of a "subject only" mailbox gets empty ``text``,
``html`` and ``snippet`` and no attachments; a private mailbox's mail is its owner's alone.
Attendees come with the meetings the caller may see; their contact follows the link rule."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.links import api_access
from api.entities.mail import MAIL_MESSAGE, MAIL_THREAD, MEETING_ATTENDEE
from api.graphql.activities.types import ActivityType
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import ConnectionField, CountableConnection, Node, choice_field, require_permission, visible_link
from api.graphql.identity.types import UserType
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities.choices import Attendance, AttendeeRole
from modules.activities.models import Activity, ActivityAttendee
from modules.mailboxes.access import shows_body, visible_threads
from modules.mailboxes.choices import MessageDirection
from modules.mailboxes.models import MailAttachment, MailMessage, MailThread

MessageDirectionEnum = choice_enum(MessageDirection)
AttendanceEnum = choice_enum(Attendance)
AttendeeRoleEnum = choice_enum(AttendeeRole)
PERMISSION = "activities.view"


def _threads(info: Any) -> QuerySet[MailThread]:
    require_permission(info, PERMISSION)
    return visible_threads(MailThread.objects.all(), api_access(info.context))


class MailThreadType(DjangoObjectType):
    """A conversation of a connected mailbox (or of mail sent through the workspace)."""

    class Meta:
        model = MailThread
        name = MAIL_THREAD.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(MAIL_THREAD)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return queryset.filter(pk__in=_threads(info).values("pk"))

    @classmethod
    def get_node(cls, info: Any, id: str) -> MailThread | None:
        return cls.get_queryset(MailThread.objects.all(), info).filter(pk=int(id)).first() if id.isdigit() else None


class MailAttachmentType(DjangoObjectType):
    """A file of a message: its name, content type and size in bytes."""

    class Meta:
        model = MailAttachment
        name = "MailAttachment"
        fields = ("name", "content_type", "size")


class MailMessageType(DjangoObjectType):
    """One e-mail of a thread. ``text``, ``html`` and ``snippet`` are empty and ``attachments``
    empty when the mailbox shares subjects only with you."""

    thread = graphene.Field(MailThreadType, required=True)
    direction = choice_field(MessageDirectionEnum, "direction")
    to_addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
    cc_addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
    attachments = graphene.List(graphene.NonNull(MailAttachmentType), required=True)

    class Meta:
        model = MailMessage
        name = MAIL_MESSAGE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(MAIL_MESSAGE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return (
            queryset.filter(thread__in=_threads(info))
            .select_related("thread__mailbox")
            .prefetch_related(Prefetch("attachments", MailAttachment.objects.order_by("id")))
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> MailMessage | None:
        return cls.get_queryset(MailMessage.objects.all(), info).filter(pk=int(id)).first() if id.isdigit() else None

    @staticmethod
    def _full(root: MailMessage, info: Any) -> bool:
        return shows_body(root.thread, getattr(info.context.user, "pk", None))

    @staticmethod
    def resolve_thread(root: MailMessage, info: Any) -> MailThread:
        return root.thread

    @staticmethod
    def resolve_text(root: MailMessage, info: Any) -> str:
        return root.text if MailMessageType._full(root, info) else ""

    @staticmethod
    def resolve_html(root: MailMessage, info: Any) -> str:
        return root.html if MailMessageType._full(root, info) else ""

    @staticmethod
    def resolve_snippet(root: MailMessage, info: Any) -> str:
        return root.snippet if MailMessageType._full(root, info) else ""

    @staticmethod
    def resolve_attachments(root: MailMessage, info: Any) -> list[MailAttachment]:
        return list(root.attachments.all()) if MailMessageType._full(root, info) else []


class MeetingAttendeeType(DjangoObjectType):
    """Someone invited to a meeting, matched to a contact and/or a user when one has the address."""

    activity = graphene.Field(ActivityType, required=True)
    role = choice_field(AttendeeRoleEnum, "role")
    attendance = choice_field(AttendanceEnum, "attendance")
    contact = graphene.Field(ContactType, description="Null: none, or not a contact you can see.")
    user = graphene.Field(UserType)

    class Meta:
        model = ActivityAttendee
        name = MEETING_ATTENDEE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(MEETING_ATTENDEE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        user = require_permission(info, PERMISSION)
        meetings = restrict_to_visible(Activity.objects.all(), user, owner_field="assignee")
        return (
            queryset.filter(activity__in=meetings)
            .select_related("activity", "user")
            .prefetch_related(Prefetch("contact", queryset=visible_contacts(user)))
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> ActivityAttendee | None:
        return (
            cls.get_queryset(ActivityAttendee.objects.all(), info).filter(pk=int(id)).first() if id.isdigit() else None
        )

    @staticmethod
    def resolve_activity(root: ActivityAttendee, info: Any) -> Activity:
        return root.activity

    @staticmethod
    def resolve_contact(root: ActivityAttendee, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_user(root: ActivityAttendee, info: Any) -> User | None:
        return root.user


describe_fields(MailThreadType, MAIL_THREAD)
describe_fields(MailMessageType, MAIL_MESSAGE)
describe_fields(MeetingAttendeeType, MEETING_ATTENDEE)


class MailQueries(graphene.ObjectType):
    mail_threads = ConnectionField(
        MailThreadType, **connection_arguments(MAIL_THREAD), description="E-mail threads you may see."
    )
    mail_messages = ConnectionField(
        MailMessageType, **connection_arguments(MAIL_MESSAGE), description="Messages of the threads you may see."
    )
    meeting_attendees = ConnectionField(
        MeetingAttendeeType,
        **connection_arguments(MEETING_ATTENDEE),
        description="Attendees of the meetings you may see.",
    )

    # Each resolver's queryset passes through its type's get_queryset (permission, visibility).

    def resolve_mail_threads(self, info: Any, **args: Any) -> QuerySet[MailThread]:
        return filter_records(MAIL_THREAD, MailThread.objects.all(), args)

    def resolve_mail_messages(self, info: Any, **args: Any) -> QuerySet[MailMessage]:
        return filter_records(MAIL_MESSAGE, MailMessage.objects.all(), args)

    def resolve_meeting_attendees(self, info: Any, **args: Any) -> QuerySet[ActivityAttendee]:
        return filter_records(MEETING_ATTENDEE, ActivityAttendee.objects.all(), args)
