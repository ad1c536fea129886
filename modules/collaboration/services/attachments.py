"""Attaching files to records: the only code that stores, lists and removes them.

The bytes go to ``attachment_storage()`` (private files under ``make run``, an S3-compatible
bucket in production) before the row commits; if the transaction fails the stored file is
removed again, and a removed row takes its file with it once the removal commits (also when
the record's deletion cascades to it)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from customization.events.outbox import emit
from identity.models import User
from modules.collaboration.access import may_manage
from modules.collaboration.models import Attachment
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.targets import record_links, subject_of
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.contacts.services.timeline import record_entry

ENTITY = "attachment"
NAME_LENGTH = 200
SNIFF_BYTES = 8192
# A file named like one of these must start like one: a "report.pdf" that is not a PDF is broken
# or disguised, and is refused rather than stored under a misleading name.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
# Types a browser would run or render as a page: stored as they are, served as plain bytes.
ACTIVE_TYPES = ("text/html", "image/svg", "application/xhtml", "text/xml", "application/xml", "javascript")
_UNSAFE_NAME_CHARACTERS = re.compile(r'[<>:"/\\|?*]')


def clean_filename(raw: str) -> str:
    """The last path part of ``raw`` without control or reserved characters, at most 200 long
    (the extension kept); ``file`` when nothing is left."""
    name = PurePosixPath(str(raw).replace("\\", "/")).name
    name = _UNSAFE_NAME_CHARACTERS.sub("_", without_control_characters(name)).strip().strip(".")
    if not name:
        return "file"
    if len(name) > NAME_LENGTH:
        suffix = PurePosixPath(name).suffix[:20]
        name = name[: NAME_LENGTH - len(suffix)] + suffix
    return name


def sniff_content_type(head: bytes, name: str) -> str:
    """The type the bytes show (puremagic), else text/plain for UTF-8 text, else octet-stream.
    Raises a ``file`` error when the name promises a format the bytes are not."""
    suffix = PurePosixPath(name).suffix.lower()
    expected = SIGNATURES.get(suffix)
    if expected and not head.startswith(expected):
        raise ValidationError(
            {
                "file": [
                    _("The file's content is not what its name says (%(suffix)s): it may be broken.")
                    % {"suffix": suffix}
                ]
            }
        )
    try:
        found = puremagic.from_string(head, mime=True, filename=name)
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return str(found)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # The cut may fall inside a character: only a failure well before the end counts.
        try:
            head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    return "text/plain"


def served_content_type(attachment: Attachment) -> str:
    """What a download says it is: the sniffed type, unless a browser could run it."""
    if any(attachment.content_type.startswith(active) for active in ACTIVE_TYPES):
        return "application/octet-stream"
    return attachment.content_type or "application/octet-stream"


def download_response(attachment: Attachment) -> FileResponse:
    """The file streamed as a download, for the record page and the REST API alike: never sniffed
    into something the browser would render, never kept by a shared cache."""
    response = FileResponse(
        attachment_storage().open(attachment.storage_key, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=served_content_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def checked_upload(upload: Any) -> tuple[str, str]:
    """The cleaned file name and sniffed content type of ``upload``; a ``file`` error when it is
    missing, empty, over ``ATTACHMENT_MAX_BYTES`` or not what its name says. Other places that
    keep files in the attachment storage (case messages) check their uploads with it too."""
    if not isinstance(upload, UploadedFile):
        raise ValidationError({"file": [_("Choose a file to attach.")]})
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is larger than %(limit)s, the most a record accepts.")
                    % {"limit": filesizeformat(limit)}
                ]
            }
        )
    name = clean_filename(upload.name or "")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return name, sniff_content_type(head, name)


def add_attachment(*, record: Model, upload: Any, by: User) -> Attachment:
    """Store ``upload`` on ``record`` as ``by``: one timeline entry and an ``attachment.created`` event."""
    name, content_type = checked_upload(upload)
    storage = attachment_storage()
    key = storage.save(new_storage_key(name), upload)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                storage_key=key, name=name, content_type=content_type[:100], size=upload.size,
                uploaded_by=by, **record_links(record),
            )  # fmt: skip
            subject, record_id = subject_of(attachment)
            record_entry(
                TimelineKind.ATTACHMENT,
                actor=by,
                data={"attachment_id": attachment.pk, "name": name, "size": attachment.size},
                occurred_at=attachment.created_at,
                **record_links(record),
            )
            emit(
                "attachment.created", attachment, entity=ENTITY, actor=by,
                data={"record": {"entity": subject, "id": record_id}, "name": name, "size": attachment.size},
            )  # fmt: skip
    except BaseException:
        storage.delete(key)
        raise
    return attachment


def delete_attachment(attachment: Attachment, *, by: User) -> None:
    """Remove ``attachment`` (its file goes once this commits); its uploader or an administrator may."""
    if not may_manage(by, attachment.uploaded_by_id):
        raise PermissionDenied(_("Only who attached the file or an administrator may remove it."))
    subject, record_id = subject_of(attachment)
    with transaction.atomic():
        TimelineEntry.objects.filter(
            kind=TimelineKind.ATTACHMENT, data__attachment_id=attachment.pk, **{f"{subject}_id": record_id}
        ).update(
            data={"attachment_id": attachment.pk, "name": attachment.name, "size": attachment.size, "removed": True}
        )
        emit(
            "attachment.deleted", attachment, entity=ENTITY, actor=by,
            data={"record": {"entity": subject, "id": record_id}, "name": attachment.name},
        )  # fmt: skip
        attachment.delete()


def delete_file_on_commit(sender: type[Attachment], instance: Attachment, **kwargs: Any) -> None:
    """``post_delete`` of an attachment row: remove its file once the deletion commits."""
    key = instance.storage_key
    transaction.on_commit(lambda: attachment_storage().delete(key), robust=True)
