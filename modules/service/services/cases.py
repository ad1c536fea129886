"""Cases: the only writer of cases and their messages. Numbering per tenant under a lock, a timeline
entry on the customer's contact and company, an outbox event (``case.created`` / ``updated`` /
``status_changed`` / ``solved`` / ``message_added`` / ``deleted``) and the registered case hooks
(``modules.service.hooks``: SLA clock, assignment) in the same transaction as every write.

Status moves stamp their time: the first agent reply stamps ``first_response_at``, reaching a
solved status ``solved_at``, a closed one ``closed_at``; a customer writing to a solved or waiting
case opens it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail.quoting import html_quote_start, quote_start
from identity.models import User
from modules.collaboration.sanitize import clean_note_html, plain_text
from modules.contacts.choices import TimelineKind
from modules.contacts.services.records import (
    _custom_changes,
    check_fields,
    new_custom_values,
    record_event,
    validated,
)
from modules.contacts.services.timeline import field_changes, record_entry
from modules.service.choices import (
    DONE_CATEGORIES,
    CaseChannel,
    MessageAuthor,
    MessageKind,
    StatusCategory,
)
from modules.service.hooks import CaseChange, run_case_hooks
from modules.service.models import Case, CaseMessage, CaseStatus
from modules.service.services.statuses import status_for

CREATE_FIELDS = (
    "subject", "description", "contact", "company", "channel", "priority", "status", "category", "team", "owner",
    "deal", "order", "product", "language", "custom",
)  # fmt: skip
UPDATABLE_FIELDS = (
    "subject", "description", "contact", "company", "channel", "priority", "status", "category", "team", "owner",
    "deal", "order", "product", "language", "custom",
)  # fmt: skip
NUMBER_PREFIX = "C-"


def next_case_number() -> str:
    """C-<00001…>: the next case number. Call inside the transaction that saves the case: a
    transaction-scoped advisory lock (per schema) serializes concurrent creators until it commits."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{getattr(connection, 'schema_name', '')}:service.case-number"],
        )
    last = (
        Case.objects.filter(number__regex=r"^C-\d+$")
        .annotate(sequence=Cast(Substr("number", len(NUMBER_PREFIX) + 1), IntegerField()))
        .aggregate(last=Max("sequence"))["last"]
    )
    return f"{NUMBER_PREFIX}{(last or 0) + 1:05d}"


def _timeline(case: Case, by: User | None, action: str, **extra: Any) -> None:
    if case.contact_id is None and case.company_id is None:
        return
    data: dict[str, Any] = {
        "action": action,
        "case": case.pk,
        "number": case.number,
        "subject": case.subject,
        "status": case.status.label,
        **extra,
    }
    record_entry(
        TimelineKind.CASE, actor=by, data=data, contact_id=case.contact_id, company_id=case.company_id,
        deal_id=case.deal_id, order_id=case.order_id,
    )  # fmt: skip


def _fill_company(case: Case) -> None:
    """A case of a contact belongs to the contact's company unless told otherwise."""
    if case.company_id is None and case.contact is not None:
        case.company_id = case.contact.company_id


def _stamp_status(case: Case, previous: CaseStatus | None, now: Any) -> None:
    case.status_changed_at = now
    category = case.status.category
    if category == StatusCategory.SOLVED and (previous is None or previous.category != StatusCategory.SOLVED):
        case.solved_at = now
    if category == StatusCategory.CLOSED:
        case.closed_at = now
        if case.solved_at is None:
            case.solved_at = now
    if category not in DONE_CATEGORIES:
        case.solved_at = None
        case.closed_at = None


def create_case(*, by: User | None, **values: Any) -> Case:
    """A new case (status: the first "new" status unless given). The queue's agent is not chosen
    here: assignment rules run as a case hook. All or nothing; errors name the field."""
    check_fields(Case, values, CREATE_FIELDS)
    if values.get("status") is None:
        values["status"] = status_for(StatusCategory.NEW)
    if not values.get("channel"):
        values["channel"] = CaseChannel.AGENT
    values["custom"] = new_custom_values(Case, values.get("custom"))
    case = Case(created_by=by, number="-", **values)
    _fill_company(case)
    validated(case, exclude=["number"])
    with transaction.atomic():
        now = timezone.now()
        case.number = next_case_number()
        _stamp_status(case, None, now)
        case.save()
        _timeline(case, by, "created")
        record_event("created", case, by=by, data={"number": case.number, "subject": case.subject})
        run_case_hooks(case, CaseChange("created", by=by, changed_fields=frozenset(values)))
    return case


def update_case(case: Case, *, by: User | None, **values: Any) -> Case:
    """Change a case's fields (a status change stamps its time and says so on the outbox)."""
    check_fields(Case, values, UPDATABLE_FIELDS)
    custom = values.pop("custom", None)
    if "status" in values and values["status"] is None:
        raise ValidationError({"status": [_("Choose a status.")]})
    changes = field_changes(case, values)
    with transaction.atomic():
        previous_status = case.status
        for name, value in values.items():
            setattr(case, name, value)
        if custom is not None:
            changes.extend(_custom_changes(case, custom))
        if not changes:
            return case
        _fill_company(case)
        validated(case)
        changed = frozenset(change["field"] for change in changes)
        status_moved = "status" in changed
        if status_moved:
            _stamp_status(case, previous_status, timezone.now())
        case.save()
        _timeline(case, by, "updated", changes=changes)
        record_event("updated", case, by=by, data={"changes": changes})
        if status_moved:
            _status_events(case, previous_status, by)
        run_case_hooks(
            case,
            CaseChange(
                "status_changed" if status_moved else "updated", by=by, changed_fields=changed,
                previous_category=previous_status.category,
            ),
        )  # fmt: skip
    return case


def _status_events(case: Case, previous: CaseStatus, by: User | None) -> None:
    data = {
        "from_status": previous.key, "to_status": case.status.key,
        "from_category": previous.category, "to_category": case.status.category,
    }  # fmt: skip
    record_event("status_changed", case, by=by, data=data)
    if case.status.category == StatusCategory.SOLVED and previous.category != StatusCategory.SOLVED:
        record_event("solved", case, by=by, data=data)


def set_case_status(case: Case, status: CaseStatus, *, by: User | None) -> Case:
    return update_case(case, by=by, status=status)


def add_message(
    case: Case,
    *,
    by: User | None,
    author_kind: str,
    kind: str = MessageKind.REPLY,
    body_text: str = "",
    body_html: str = "",
    contact: Any = None,
    channel: str = CaseChannel.AGENT,
    attachments: Iterable[Any] = (),
    **headers: Any,
) -> CaseMessage:
    """Add a message to ``case``. ``body_html`` is sanitised and gives the plain text when none is
    given. An agent's first public reply is the case's first response; a customer's message opens a
    waiting or solved case again (a closed case stays closed: the e-mail intake opens a new one).
    ``headers``: from_address, to_addresses, cc_addresses, subject, message_id, in_reply_to,
    references. ``attachments``: unsaved ``CaseAttachment`` rows, saved with the message."""
    allowed = {"from_address", "to_addresses", "cc_addresses", "subject", "message_id", "in_reply_to", "references"}
    unknown = sorted(set(headers) - allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    if author_kind == MessageAuthor.CUSTOMER and kind != MessageKind.REPLY:
        raise ValidationError({"kind": [_("A customer's message is always public.")]})
    html = clean_note_html(body_html) if body_html else ""
    text = body_text or (plain_text(html) if html else "")
    if not text.strip() and not html:
        raise ValidationError({"body": [_("Write a message.")]})
    message = CaseMessage(
        case=case, kind=kind, author_kind=author_kind, author=by if author_kind == MessageAuthor.AGENT else None,
        contact=contact, channel=channel, body_text=text, body_html=html, **headers,
    )  # fmt: skip
    if author_kind == MessageAuthor.CUSTOMER:  # a customer's mail quotes the conversation below the new part
        message.quote_start = quote_start(text)
        message.html_quote_start = html_quote_start(html) if html else None
    validated(message, exclude=["case"])
    files = list(attachments)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("status").get(pk=case.pk)
        message.case = case
        message.save()
        for attachment in files:
            attachment.message = message
            attachment.save()
        now = message.created_at
        previous_status = case.status
        update = ["updated_at"]
        if author_kind == MessageAuthor.AGENT and kind == MessageKind.REPLY:
            case.last_agent_message_at = now
            update.append("last_agent_message_at")
            if case.first_response_at is None:
                case.first_response_at = now
                update.append("first_response_at")
        if author_kind == MessageAuthor.CUSTOMER:
            case.last_customer_message_at = now
            update.append("last_customer_message_at")
            if case.status.category in (StatusCategory.PENDING, StatusCategory.SOLVED):
                case.status = status_for(StatusCategory.OPEN)
                _stamp_status(case, previous_status, now)
                update += ["status", "status_changed_at", "solved_at", "closed_at"]
        case.save(update_fields=update)
        _timeline(
            case, by, "message", message_kind=kind, author_kind=author_kind,
            excerpt=text[:200] if kind == MessageKind.REPLY else "",
        )  # fmt: skip
        record_event(
            "message_added", case, by=by,
            data={"message_id": message.pk, "kind": kind, "author_kind": author_kind, "channel": channel},
        )  # fmt: skip
        if case.status_id != previous_status.pk:
            _status_events(case, previous_status, by)
        run_case_hooks(
            case,
            CaseChange("message", by=by, message=message, previous_category=previous_status.category),
        )
    return message


def delete_case(case: Case, *, by: User | None) -> None:
    """Delete a case with its messages and files; the customer's timeline keeps the entry."""
    with transaction.atomic():
        run_case_hooks(case, CaseChange("deleted", by=by))
        _timeline(case, by, "deleted")
        record_event("deleted", case, by=by, data={"number": case.number})
        case.delete()
