"""E-mail threads and messages of the connected mailboxes, and meeting attendees (the activities
module), read only: mail arrives by sync and is written on a record's page, attendees are set on
the meeting. A thread is listed to its mailbox's owner, and to colleagues who may open a record it
is linked to unless the mailbox is private (``modules.mailboxes.access``); a colleague of a
"subject only" mailbox gets the subject and participants, never a body or a file. An attendee is
listed with its meeting (the meeting's assignee visibility); its contact and user follow the link
rule."""

from __future__ import annotations

from api.entities.base import ID, EntityDescription, Field, Filter, FilterKind, by_id, choice, orderings
from modules.activities.choices import Attendance
from modules.activities.models import ActivityAttendee
from modules.mailboxes.choices import MessageDirection
from modules.mailboxes.models import MailMessage, MailThread

MAIL_THREAD = EntityDescription(
    name="mail_thread",
    resource="mail_threads",
    rest_resource="mail-threads",
    model=MailThread,
    module="activities",
    owner_field="",
    graphql_type="MailThread",
    fields=(
        ID,
        Field("subject", description="The subject of the thread's first message."),
        Field("message_count", description="Messages in the thread."),
        Field("first_at", description="The date of its earliest message."),
        Field("last_at", description="The date of its latest message."),
        Field("created_at"),
    ),
    filters=(
        Filter(
            "last_after",
            FilterKind.DATETIME,
            field="last_at",
            lookup="gte",
            description="Threads with a message at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("last_at", "first_at"),
)

MAIL_MESSAGE = EntityDescription(
    name="mail_message",
    resource="mail_messages",
    rest_resource="mail-messages",
    model=MailMessage,
    module="activities",
    owner_field="",
    graphql_type="MailMessage",
    fields=(
        ID,
        Field("thread", description="The thread the message belongs to."),
        Field("direction", description="in (received) or out (sent)."),
        Field("message_id", description="The Message-ID header."),
        Field("subject"),
        Field("from_address"),
        Field("from_name"),
        Field("to_addresses"),
        Field("cc_addresses"),
        Field("date", description="When it was sent (the Date header)."),
        Field(
            "snippet",
            description="The start of the text; empty when the mailbox shares subjects only with you.",
        ),
        Field("text", description="The plain text; empty when the mailbox shares subjects only with you."),
        Field(
            "html",
            description="The HTML part, sanitised; empty when the mailbox shares subjects only with you.",
        ),
        Field(
            "attachments",
            description="Name, content type and size of each file; none listed when the mailbox shares subjects "
            "only with you.",
            prefetch=("attachments",),
        ),
    ),
    filters=(
        by_id("thread", "MailThread", "Messages of this thread (a MailThread id)."),
        choice("direction", MessageDirection),
        Filter(
            "date_after",
            FilterKind.DATETIME,
            field="date",
            lookup="gte",
            description="Sent at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("date"),
)

MEETING_ATTENDEE = EntityDescription(
    name="meeting_attendee",
    resource="meeting_attendees",
    rest_resource="meeting-attendees",
    model=ActivityAttendee,
    module="activities",
    owner_field="",
    graphql_type="MeetingAttendee",
    fields=(
        ID,
        Field("activity", description="The meeting."),
        Field("email"),
        Field("name"),
        Field("role", description="chair, required, optional or non (for information)."),
        Field("attendance", description="The answer: needs_action, accepted, tentative, declined or delegated."),
        Field("is_organizer"),
        Field("contact", description="The matching contact (null: none, or one you cannot see).", select=("contact",)),
        Field("user", description="The matching user (null: none).", select=("user",)),
        Field("responded_at"),
    ),
    filters=(
        by_id("activity", "Activity", "Attendees of this meeting (an Activity id)."),
        choice("attendance", Attendance),
    ),
    orderings=orderings("email"),
)
