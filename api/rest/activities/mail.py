"""E-mail threads and messages of the connected mailboxes and meeting attendees in REST, from their
entity descriptions (activities module, ``activities.view``; read only): ``/api/v1/mail-threads/``,
``/api/v1/mail-messages/`` and ``/api/v1/meeting-attendees/``. Threads and messages follow
``modules.mailboxes.access`` (the owner's mail; colleagues' through a record they may open, never a
private mailbox's; a "subject only" mailbox's message has empty ``text``, ``html`` and ``snippet``
and lists no attachments); attendees are listed with the meetings the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from api.entities.links import api_access
from api.entities.mail import MAIL_MESSAGE, MAIL_THREAD, MEETING_ATTENDEE
from api.entities.rest import ordering_parameter
from api.rest.records import USER_SUMMARY_SCHEMA, RecordViewSet, ServiceSerializer, acting_user, user_summary
from identity.visibility import restrict_to_visible
from modules.activities.models import Activity, ActivityAttendee
from modules.contacts.models import Contact
from modules.mailboxes.access import shows_body, visible_threads
from modules.mailboxes.models import MailAttachment, MailMessage, MailThread


class MailThreadSerializer(ServiceSerializer):
    entity = MAIL_THREAD

    class Meta:
        model = MailThread
        fields = MAIL_THREAD.field_names
        read_only_fields = fields


class MailAttachmentSerializer(serializers.ModelSerializer[MailAttachment]):
    class Meta:
        model = MailAttachment
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


class MailMessageSerializer(ServiceSerializer):
    entity = MAIL_MESSAGE
    thread: serializers.PrimaryKeyRelatedField[MailThread] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="A MailThread id."
    )
    attachments = MailAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = MailMessage
        fields = MAIL_MESSAGE.field_names
        read_only_fields = fields

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not shows_body(instance.thread, getattr(self.context["request"].user, "pk", None)):
            for name in ("text", "html", "snippet"):
                if name in data:
                    data[name] = ""
            if "attachments" in data:
                data["attachments"] = []
        return data


class ActivityAttendeeSerializer(ServiceSerializer):
    entity = MEETING_ATTENDEE
    activity: serializers.PrimaryKeyRelatedField[Activity] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="An Activity id (a meeting)."
    )
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="A Contact id (null: none, or one you cannot see)."
    )
    user = serializers.SerializerMethodField()

    class Meta:
        model = ActivityAttendee
        fields = MEETING_ATTENDEE.field_names
        read_only_fields = fields

    @extend_schema_field(USER_SUMMARY_SCHEMA)
    def get_user(self, attendee: ActivityAttendee) -> dict[str, Any] | None:
        return user_summary(attendee.user)


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(MAIL_THREAD)]))
class MailThreadViewSet(RecordViewSet):
    """E-mail threads you may see (your mailboxes', and colleagues' through records you may open),
    in id order; ``?last_after=``. Read only."""

    entity = MAIL_THREAD
    serializer_class = MailThreadSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return visible_threads(self.base_queryset(), api_access(self.request))


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(MAIL_MESSAGE)]))
class MailMessageViewSet(RecordViewSet):
    """The messages of the threads you may see, in id order with their attachments' names;
    ``?thread=``, ``?direction=``, ``?date_after=``. Read only."""

    entity = MAIL_MESSAGE
    serializer_class = MailMessageSerializer

    def get_queryset(self) -> QuerySet[Any]:
        threads = visible_threads(MailThread.objects.all(), api_access(self.request))
        return self.base_queryset().filter(thread__in=threads).select_related("thread__mailbox")


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(MEETING_ATTENDEE)]))
class MeetingAttendeeViewSet(RecordViewSet):
    """Attendees of the meetings you may see, in id order; ``?activity=``, ``?attendance=``. Read only:
    attendees are set on the meeting."""

    entity = MEETING_ATTENDEE
    serializer_class = ActivityAttendeeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        meetings = restrict_to_visible(Activity.objects.all(), acting_user(self.request), owner_field="assignee")
        return self.base_queryset().filter(activity__in=meetings)
