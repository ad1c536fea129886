"""The workspace logo: an uploaded image checked and re-encoded before it is stored.

Only PNG, JPEG, GIF and WebP are read (never SVG, which can carry script); the upload is bounded in
bytes and in pixels before Pillow decodes it, and what is stored is a fresh PNG of at most
``LOGO_MAX_SIDE`` pixels a side: no metadata, no second format hidden in the file, and one format
the quote PDF always embeds."""

from __future__ import annotations

import uuid
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_MAX_SIDE = 800
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def workspace_storage() -> Storage:
    """``STORAGES["workspace"]``, else ``STORAGES["attachments"]`` (the records' private bucket) when
    configured, else files under ``PRIVATE_FILES_ROOT``; never a public URL: logos are served only
    through views that check the tenant (its settings page, a quote's secret page)."""
    for name in ("workspace", "attachments"):
        if name in settings.STORAGES:
            return storages[name]
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT, base_url=None)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"logo": [message]}, code="invalid_logo")


def logo_png(upload: UploadedFile) -> bytes:
    """The upload as a PNG to store, or a ValidationError on ``logo`` saying what is wrong with it."""
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        raise _refuse(_("The logo may be at most %(size)s MB.") % {"size": LOGO_MAX_BYTES // (1024 * 1024)})
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise _refuse(_("The logo may be at most %(size)s MB.") % {"size": LOGO_MAX_BYTES // (1024 * 1024)})
    unreadable = _("Upload a PNG, JPEG, GIF or WebP image.")
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                raise _refuse(unreadable)
            width, height = image.size
            if width * height > LOGO_MAX_PIXELS:
                raise _refuse(_("The image is too large: at most 5,000 × 5,000 pixels."))
            image.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise _refuse(unreadable) from error
    picture.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def store_logo(png: bytes) -> str:
    """Save ``png`` as ``workspace/<schema>/logo-<random>.png`` (the tenant's own folder, as
    attachments have theirs); the name it was stored under."""
    name = f"workspace/{getattr(connection, 'schema_name', 'public')}/logo-{uuid.uuid4().hex}.png"
    return workspace_storage().save(name, ContentFile(png))


def read_logo(name: str) -> bytes | None:
    """The stored logo's bytes, or None when there is none (or it is gone from the storage)."""
    if not name:
        return None
    storage = workspace_storage()
    try:
        with storage.open(name, "rb") as handle:
            return bytes(handle.read())
    except (FileNotFoundError, OSError):
        return None


def delete_logo(name: str) -> None:
    if name:
        workspace_storage().delete(name)
