"""The collateral library's writers, its file service for e-mail composers, and its share links.

Uploads are checked like every stored file (``checked_upload``: size limit, a name that matches
the bytes) and kept in the private attachment storage; a failed transaction removes the stored
file, and a deleted version takes its file with it once the deletion commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from customization.events.outbox import emit
from identity.models import User
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.services.attachments import ACTIVE_TYPES, checked_upload
from modules.marketing.collateral.models import CollateralItem, CollateralVersion

ENTITY = "collateral"
SHARE_DAYS = 7
MAX_SHARE_DAYS = 90
MAX_TAGS = 20


def _clean_text(values: dict[str, Any]) -> dict[str, Any]:
    problems = {k: [p] for k, v in values.items() if isinstance(v, str) and (p := text_problem(v))}
    if problems:
        raise ValidationError(problems)
    return values


def _clean_tags(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = raw.split(",")
    tags = sorted({str(tag).strip().lower() for tag in raw or () if str(tag).strip()})
    if len(tags) > MAX_TAGS or any(len(tag) > 50 for tag in tags):
        raise ValidationError({"tags": [_("At most 20 tags of up to 50 characters each.")]})
    if any(text_problem(tag) for tag in tags):
        raise ValidationError({"tags": [text_problem(next(t for t in tags if text_problem(t))) or ""]})
    return tags


def _store(item: CollateralItem, upload: Any, *, by: User, note: str) -> CollateralVersion:
    """Store ``upload`` as the item's next version. The caller holds the transaction and removes
    the stored file when it fails later (Django runs nothing on rollback)."""
    name, content_type = checked_upload(upload)
    number = (item.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    storage = attachment_storage()
    key = storage.save(new_storage_key(name), upload)
    try:
        version = CollateralVersion.objects.create(
            item=item, number=number, storage_key=key, filename=name, content_type=content_type[:100],
            size=upload.size, note=note, uploaded_by=by,
        )  # fmt: skip
    except BaseException:
        storage.delete(key)
        raise
    return version


def create_item(
    *, title: str, upload: Any = None, by: User, description: str = "", category: str = "", tags: Any = ()
) -> CollateralItem:
    """A new item with ``upload`` as its first version; without one (the API creates the item, then
    uploads its versions) the item has no file until ``add_version``."""
    values = _clean_text(
        {"title": (title or "").strip(), "description": description or "", "category": (category or "").strip()}
    )
    item = CollateralItem(**values, tags=_clean_tags(tags), created_by=by)
    item.full_clean(exclude=["current_version", "created_by"])
    stored: list[str] = []
    try:
        with transaction.atomic():
            item.save()
            if upload is not None:
                version = _store(item, upload, by=by, note="")
                stored.append(version.storage_key)
                item.current_version = version
                item.save(update_fields=["current_version", "updated_at"])
            number = 1 if upload is not None else None
            emit("collateral.created", item, entity=ENTITY, actor=by, data={"title": item.title, "version": number})
    except BaseException:
        for key in stored:
            attachment_storage().delete(key)
        raise
    return item


def update_item(item: CollateralItem, *, by: User, **values: Any) -> CollateralItem:
    """Change the title, description, category or tags."""
    changes = _clean_text({k: v for k, v in values.items() if k in ("title", "description", "category")})
    for key, value in changes.items():
        setattr(item, key, value.strip() if key != "description" else value)
    if "tags" in values:
        item.tags = _clean_tags(values["tags"])
    item.full_clean(exclude=["current_version", "created_by"])
    with transaction.atomic():
        item.save()
        emit("collateral.updated", item, entity=ENTITY, actor=by, data={"title": item.title})
    return item


def add_version(item: CollateralItem, *, upload: Any, by: User, note: str = "") -> CollateralVersion:
    """Store ``upload`` as the item's new current version; the earlier ones stay in its history."""
    _clean_text({"note": note or ""})
    if len(note or "") > 500:
        raise ValidationError({"note": [_("At most 500 characters.")]})
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = CollateralItem.objects.select_for_update().get(pk=item.pk)  # numbers never collide
            version = _store(locked, upload, by=by, note=note or "")
            stored.append(version.storage_key)
            locked.current_version = version
            locked.save(update_fields=["current_version", "updated_at"])
            emit("collateral.version_added", locked, entity=ENTITY, actor=by, data={"version": version.number})
    except BaseException:
        for key in stored:
            attachment_storage().delete(key)
        raise
    item.current_version = version
    return version


def archive_item(item: CollateralItem, *, by: User, archived: bool = True) -> None:
    """Archive (hidden from the library, its share links stop working) or restore an item."""
    with transaction.atomic():
        item.archived_at = timezone.now() if archived else None
        item.save(update_fields=["archived_at", "updated_at"])
        emit("collateral.archived" if archived else "collateral.restored", item, entity=ENTITY, actor=by)


def delete_item(item: CollateralItem, *, by: User) -> None:
    """Delete an item with its versions; their files go once the deletion commits."""
    with transaction.atomic():
        emit("collateral.deleted", item, entity=ENTITY, actor=by, data={"title": item.title})
        item.delete()


def delete_file_on_commit(sender: type[CollateralVersion], instance: CollateralVersion, **kwargs: Any) -> None:
    """``post_delete`` of a version row: remove its file once the deletion commits."""
    key = instance.storage_key
    transaction.on_commit(lambda: attachment_storage().delete(key), robust=True)


def served_content_type(version: CollateralVersion) -> str:
    if any(version.content_type.startswith(active) for active in ACTIVE_TYPES):
        return "application/octet-stream"
    return version.content_type or "application/octet-stream"


def download_response(version: CollateralVersion) -> FileResponse:
    """The file as a download: never rendered by the browser, never kept by a shared cache."""
    response = FileResponse(
        attachment_storage().open(version.storage_key, "rb"),
        as_attachment=True,
        filename=version.filename,
        content_type=served_content_type(version),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attach_collateral(item: CollateralItem) -> tuple[str, bytes, str]:
    """``(filename, bytes, mimetype)`` of the item's current version, for an e-mail composer to
    attach; a ``ValidationError`` when the item is archived or has no file."""
    version = item.current_version
    if item.archived_at is not None or version is None:
        raise ValidationError({"collateral": [_("This collateral is archived or has no file.")]})
    with attachment_storage().open(version.storage_key, "rb") as handle:
        content = handle.read()
    return version.filename, content, served_content_type(version)


def _share_salt() -> str:
    # The tenant's schema in the salt: a link of one workspace means nothing on another's host.
    return f"marketing-collateral-share:{getattr(connection, 'schema_name', 'public')}"


def share_token(item: CollateralItem, *, valid_for: timedelta = timedelta(days=SHARE_DAYS)) -> str:
    """A signed token for the item's public download link, expiring after ``valid_for``."""
    expires = int((timezone.now() + valid_for).timestamp())
    return signing.dumps({"i": item.pk, "e": expires}, salt=_share_salt(), compress=True)


def shared_item(token: str) -> CollateralItem | None:
    """The live item a share token names, or None (tampered, expired, another workspace's,
    archived, no file)."""
    if len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=_share_salt())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("e"), int):
        return None
    if payload["e"] < timezone.now().timestamp():
        return None
    return (
        CollateralItem.objects.select_related("current_version")
        .filter(pk=payload["i"], archived_at__isnull=True, current_version__isnull=False)
        .first()
    )
