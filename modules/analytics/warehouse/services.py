"""Writes of the warehouse exports: start one (queued to Celery after commit, in the audit log),
build it into a private file, and keep only the latest few files.

Files live in ``STORAGES["warehouse"]`` when configured, else under ``PRIVATE_FILES_ROOT`` as
``warehouse/<schema>/<random>.zip``: never a public URL; the download view and endpoint check the
permission and the schema prefix before they open one.
"""

from __future__ import annotations

import logging
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import audit
from modules.analytics.warehouse.models import WarehouseExport, WarehouseExportStatus
from modules.analytics.warehouse.writer import build_export

logger = logging.getLogger(__name__)
# Finished exports whose files are kept; older ones are deleted when a new one is ready.
KEEP = 3
# The permissions behind the page, the endpoint and the download: the whole tenant's records
# leave, as with the full workspace export (``modules.dataio``).
PERMISSIONS = ("settings.manage_tenant", "data.export")


def warehouse_storage() -> Storage:
    if "warehouse" in settings.STORAGES:
        return storages["warehouse"]
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT, base_url=None)


def _prefix() -> str:
    return f"warehouse/{getattr(connection, 'schema_name', 'public')}/"


def belongs_to_current_tenant(key: str) -> bool:
    return bool(key) and key.startswith(_prefix()) and ".." not in key


def start_export(*, user: User) -> WarehouseExport:
    with transaction.atomic():
        export = WarehouseExport.objects.create(created_by=user)
        audit(
            "export.warehouse",
            _("%(user)s started a warehouse export (Parquet) of the workspace's records.") % {"user": user.email},
            by=user,
            target=f"warehouse_export:{export.pk}",
        )
        from modules.analytics.warehouse.tasks import build_warehouse_export

        transaction.on_commit(lambda: build_warehouse_export.delay(export.pk))
    return export


def _claim(export_id: int) -> WarehouseExport | None:
    """The export, now running; None when it is gone or another run took it (a redelivery)."""
    with transaction.atomic():
        export = WarehouseExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != WarehouseExportStatus.QUEUED:
            return None
        export.status = WarehouseExportStatus.RUNNING
        export.save(update_fields=["status"])
    return export


def run_export(export_id: int) -> WarehouseExport | None:
    """Build the export's file in the current tenant; idempotent."""
    export = _claim(export_id)
    if export is None:
        return None
    storage = warehouse_storage()

    def progress(index: int, total: int) -> None:
        WarehouseExport.objects.filter(pk=export.pk).update(progress=min(index * 100 // max(total, 1), 99))

    try:
        with tempfile.TemporaryFile() as target:
            manifest = build_export(target, on_table=progress)
            target.seek(0)
            key = storage.save(f"{_prefix()}{uuid.uuid4().hex}.zip", File(target))
    except Exception as error:
        logger.exception("warehouse export %s failed", export_id)
        WarehouseExport.objects.filter(pk=export.pk).update(
            status=WarehouseExportStatus.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        return None
    export.status, export.progress, export.file_key = WarehouseExportStatus.DONE, 100, key
    export.tables = {name: table["rows"] for name, table in manifest["tables"].items()}
    export.row_count = sum(export.tables.values())
    export.file_size, export.finished_at = storage.size(key), timezone.now()
    export.save(update_fields=["status", "progress", "file_key", "tables", "row_count", "file_size", "finished_at"])
    _prune(storage)
    return export


def _prune(storage: Storage) -> None:
    """Delete finished exports past the latest ``KEEP`` and their files."""
    finished = WarehouseExport.objects.filter(
        status__in=(WarehouseExportStatus.DONE, WarehouseExportStatus.FAILED)
    ).order_by("-created_at", "-id")
    for old in finished[KEEP:]:
        if belongs_to_current_tenant(old.file_key):
            storage.delete(old.file_key)
        old.delete()
