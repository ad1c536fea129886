"""Record imports: the uploaded file, how its columns map to fields, the run's progress, the rows it
refused and the records it created or changed (so the whole import can be undone)."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from modules.dataio.imports.choices import DedupeRule, FileFormat, ImportEntity, ImportStatus, RecordAction


def import_storage() -> Storage:
    """``STORAGES["imports"]`` when configured (e.g. a private bucket), else files under
    ``PRIVATE_FILES_ROOT/imports`` (default ``var/private/imports``): never a public media URL. Files are served
    only through the import pages, which check the tenant, the job and the permissions."""
    if "imports" in settings.STORAGES:
        return storages["imports"]
    root = settings.PRIVATE_FILES_ROOT / "imports"
    return FileSystemStorage(location=root, base_url=None)


def import_file_path(job: ImportJob, filename: str) -> str:
    """``<schema>/<random>/<name>``: the tenant's own folder, an unguessable name."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{getattr(connection, 'schema_name', 'public')}/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One file being imported into one record type.

    ``processed_rows`` is the cursor: the data rows (after the header) already handled, advanced in
    the same transaction as the batch it covers, so a retried run continues where the last commit
    left and never imports a row twice."""

    entity = models.CharField(_("record type"), max_length=20, choices=ImportEntity.choices)
    file = models.FileField(_("file"), upload_to=import_file_path, storage=import_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header = models.JSONField(_("columns"), default=list)
    # The first data rows as ``[row number, cells]``, read once (at upload for CSV, by the worker for
    # XLSX), so the mapping and preview pages never parse the file in a request.
    sample_rows = models.JSONField(default=list, blank=True)
    # One target per column, in column order: "email", "custom.region", or "" (not imported).
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    dedupe = models.CharField(_("existing records"), max_length=10, choices=DedupeRule.choices, default=DedupeRule.SKIP)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING)
    total_rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Undo: records kept because someone changed them after the import.
    undo_kept = models.PositiveIntegerField(default=0)
    # Contacts and deals naming a company nobody has yet: create it (the importer chose so).
    create_missing_companies = models.BooleanField(_("create missing companies"), default=False)
    # The companies created that way, as [id, updated_at ISO] pairs, so undo removes them too.
    created_companies = models.JSONField(default=list, blank=True)
    # How many companies the whole file names that the importer finds none of, counted once when
    # the mapping is saved (reading every row), so the preview never parses the file; None: not yet.
    missing_company_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.READING, ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportRowError(models.Model):
    """A row the import refused: the file's cells as read and the messages by target field."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    values = models.JSONField(default=list)
    # {"email": ["Enter a valid e-mail address."], "custom.region": [...], "__all__": [...]}
    errors = models.JSONField(default=dict)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="imports_row_error_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ImportedRecord(models.Model):
    """A record the import created or changed. ``previous`` holds the stored values it replaced and
    ``stamp`` the record's ``updated_at`` right after the import, so undo can tell later edits."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=RecordAction.choices)
    row_number = models.PositiveIntegerField()
    previous = models.JSONField(null=True, blank=True)
    stamp = models.DateTimeField()

    class Meta:
        ordering = ["job", "id"]
        indexes = [models.Index(fields=["job", "action", "record_id"], name="imports_record_job_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.action}:{self.record_id}"
