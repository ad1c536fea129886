"""Writing notes: the only code that creates, edits and removes them.

A note is one timeline entry on its record (kind ``note``, holding the cleaned HTML, kept in step
on edit and removed with the note), so the timeline shows it without another query. Mentions
notify the users named, in the same transaction; a named user who could not open the record is
not told, and the writer learns who (``NoteResult.not_notified``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from customization.events.outbox import emit
from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.collaboration.access import may_manage, may_see
from modules.collaboration.models import Note
from modules.collaboration.sanitize import clean_note_html, mentioned_ids, plain_text
from modules.collaboration.targets import record_links, subject_of
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.contacts.services.timeline import record_entry

ENTITY = "note"


@dataclass
class NoteResult:
    note: Note
    notified: list[User] = field(default_factory=list)
    # Users named with @ who cannot open the record: they are not told, the writer is.
    not_notified: list[User] = field(default_factory=list)


def _cleaned(body: Any) -> str:
    if not isinstance(body, str):
        raise ValidationError({"body": [_("Write the note as text.")]})
    if len(body) > settings.NOTE_MAX_LENGTH:
        raise ValidationError(
            {"body": [_("A note holds at most %(limit)d characters of markup.") % {"limit": settings.NOTE_MAX_LENGTH}]}
        )
    problem = text_problem(body)
    if problem:
        raise ValidationError({"body": [problem]})
    cleaned = clean_note_html(body)
    if not plain_text(cleaned):
        raise ValidationError({"body": [_("Write something in the note.")]})
    return cleaned


def _mention_title(author: str, name: str) -> str:
    return _("%(author)s mentioned you in a note on %(record)s") % {"author": author, "record": name}


def _mentions(note: Note, record: Model, *, by: User, already: set[int]) -> NoteResult:
    """Resolve the note's @mentions; notify the new ones who may see the record."""
    result = NoteResult(note=note)
    ids = [pk for pk in mentioned_ids(note.body) if pk != by.pk]
    users = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True).select_related("role")}
    visible = []
    for pk in ids:
        user = users.get(pk)
        if user is None:
            continue
        if may_see(user, record):
            visible.append(user)
        else:
            result.not_notified.append(user)
    note.mentioned.set(visible)
    result.notified = [user for user in visible if user.pk not in already]
    if result.notified:
        subject, record_id = subject_of(note)
        author, name = by.display_name, str(record)
        notify(
            result.notified,
            kind=NotificationKind.MENTIONED,
            entity=subject,
            record_id=record_id,
            title=partial(_mention_title, author, name),
            dedupe_prefix=f"mention:{note.pk}",
        )
    return result


def _event_data(note: Note, result: NoteResult) -> dict[str, Any]:
    subject, record_id = subject_of(note)
    return {"record": {"entity": subject, "id": record_id}, "mentioned": [user.pk for user in result.notified]}


def create_note(*, record: Model, body: Any, by: User) -> NoteResult:
    """Write a note on ``record`` (company, contact, lead or deal) as ``by``."""
    cleaned = _cleaned(body)
    with transaction.atomic():
        note = Note.objects.create(body=cleaned, author=by, **record_links(record))
        result = _mentions(note, record, by=by, already=set())
        record_entry(
            TimelineKind.NOTE,
            actor=by,
            data={"note_id": note.pk, "html": note.body},
            occurred_at=note.created_at,
            **record_links(record),
        )
        emit("note.created", note, entity=ENTITY, actor=by, data=_event_data(note, result))
    return result


def _record_of(note: Note) -> Model:
    subject, _record_id = subject_of(note)
    return getattr(note, subject)


def update_note(note: Note, *, body: Any, by: User) -> NoteResult:
    """Rewrite ``note``; only its author or an administrator may. Users newly mentioned are told."""
    if not may_manage(by, note.author_id):
        raise PermissionDenied(_("Only the note's author or an administrator may change it."))
    cleaned = _cleaned(body)
    with transaction.atomic():
        locked = Note.objects.select_for_update().get(pk=note.pk)
        already = set(locked.mentioned.values_list("pk", flat=True))
        locked.body = cleaned
        locked.save(update_fields=["body", "updated_at"])
        record = _record_of(locked)
        result = _mentions(locked, record, by=by, already=already)
        TimelineEntry.objects.filter(kind=TimelineKind.NOTE, data__note_id=locked.pk, **record_links(record)).update(
            data={"note_id": locked.pk, "html": locked.body, "edited": True}
        )
        emit("note.updated", locked, entity=ENTITY, actor=by, data=_event_data(locked, result))
    return result


def delete_note(note: Note, *, by: User) -> None:
    """Remove ``note`` and its timeline entry; only its author or an administrator may."""
    if not may_manage(by, note.author_id):
        raise PermissionDenied(_("Only the note's author or an administrator may remove it."))
    with transaction.atomic():
        record = _record_of(note)
        subject, record_id = subject_of(note)
        TimelineEntry.objects.filter(kind=TimelineKind.NOTE, data__note_id=note.pk, **record_links(record)).delete()
        emit("note.deleted", note, entity=ENTITY, actor=by, data={"record": {"entity": subject, "id": record_id}})
        note.delete()
