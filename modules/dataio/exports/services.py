"""Writes of the export jobs: start one (queued to Celery after commit), run it into a private
file, and purge the files whose time is up."""

from __future__ import annotations

import errno
import logging
import tempfile
from datetime import timedelta
from typing import IO, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.job_locks import job_runner
from identity.models import User
from identity.services.audit import audit
from identity.time_zones import zone_of
from modules.dataio.exports.choices import DISK_FULL_ERROR, ExportFormat, ExportKind, ExportStatus
from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.sources import source_of
from modules.dataio.exports.storage import new_file_path, private_storage
from modules.dataio.exports.tables import count_up_to, list_table
from modules.dataio.exports.tenant_export import build_tenant_zip
from modules.dataio.exports.writers import write_csv, write_xlsx

logger = logging.getLogger(__name__)
# An unfinished job this old is queued again (resume_unfinished): its run died, or its message.
RESUME_AFTER = timedelta(minutes=2)
# Query-string keys that only page a list; an export always covers every page.
PAGING_KEYS = ("after", "cursor", "page")


def sync_limit() -> int:
    """Lists up to this many rows are exported in the request; longer ones by a background job."""
    return int(settings.EXPORT_SYNC_ROWS)


def retention() -> timedelta:
    return timedelta(days=int(settings.EXPORT_RETENTION_DAYS))


def list_query(params: QueryDict) -> str:
    """The list's query string without paging, as stored on a job."""
    return urlencode([(key, value) for key, values in params.lists() if key not in PAGING_KEYS for value in values])


def _queue(job: ExportJob) -> None:
    from modules.dataio.exports.tasks import run_export

    transaction.on_commit(lambda: run_export.delay(job.pk))


def start_list_export(*, user: User, entity: str, file_format: str, query: str) -> ExportJob:
    """A queued export of ``entity``'s list as ``user`` sees it with ``query`` (its filters and sort)."""
    if source_of(entity) is None:
        raise ValueError(f"no list export for {entity!r}")
    if file_format not in (ExportFormat.CSV, ExportFormat.XLSX):
        raise ValueError(f"list exports are CSV or XLSX, not {file_format!r}")
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=ExportKind.LIST, entity=entity, file_format=file_format, query=query, created_by=user
        )
        audit_list_export(user=user, entity=entity, file_format=file_format, query=query)
        _queue(job)
    return job


def audit_list_export(*, user: User, entity: str, file_format: str, query: str) -> None:
    """Data leaving the workspace is a security matter: every export is in the audit log, the
    ones streamed at once as well as the ones queued."""
    source = source_of(entity)
    title = str(source.title) if source is not None else entity
    audit(
        "export.list",
        _("%(user)s exported the %(entity)s list as %(format)s.")
        % {"user": user.email, "entity": title, "format": file_format.upper()},
        by=user,
        target=f"export:{entity}",
        details={"entity": entity, "format": file_format, "query": query[:500]},
    )


def start_tenant_export(*, user: User) -> ExportJob:
    """A queued export of all the tenant's records (zip of JSON and CSV files)."""
    with transaction.atomic():
        job = ExportJob.objects.create(kind=ExportKind.TENANT, file_format=ExportFormat.ZIP, created_by=user)
        audit(
            "export.workspace",
            _("%(user)s exported all the workspace's records.") % {"user": user.email},
            by=user,
            target="export:workspace",
        )
        _queue(job)
    return job


def _claim(job_id: int) -> ExportJob | None:
    """The job, now running; None when it is gone or finished. Called holding the job's runner
    lock (``core.job_locks``), so a job still marked running was left by a run that died: this run
    starts it again."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).select_related("created_by").first()
        if job is None or job.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            return None
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    return job


def _set_progress(job: ExportJob, percent: int) -> None:
    job.progress = max(0, min(percent, 99))
    ExportJob.objects.filter(pk=job.pk).update(progress=job.progress)


def _write_list(job: ExportJob, target: IO[bytes]) -> int:
    source = source_of(job.entity)
    if source is None:
        raise LookupError(f"no list export for {job.entity!r}")
    user = job.created_by
    params = QueryDict(job.query)
    queryset, state = source.rows(user, params)
    total = max(count_up_to(queryset, limit=None), 1)
    table = list_table(source, queryset, state, user)

    def progress(done: int) -> None:
        _set_progress(job, done * 100 // total)
        job.row_count = done

    if job.file_format == ExportFormat.XLSX:
        write_xlsx(table, target, title=str(source.title), on_batch=progress)
    else:
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as text:
            write_csv(table, text, on_batch=progress)
            text.seek(0)
            while chunk := text.read(1 << 16):
                target.write(chunk.encode())
    return job.row_count


def _write_tenant(job: ExportJob, target: IO[bytes]) -> int:
    manifest = build_tenant_zip(target, on_table=lambda index, total: _set_progress(job, index * 100 // total))
    return sum(manifest["counts"].values())


def run_export(job_id: int) -> ExportJob | None:
    """Build the job's file in the current tenant, as its creator sees the records; idempotent:
    a job another live run holds, or a finished one, is left alone, and a job whose run died is
    built again from the start."""
    with job_runner("export", job_id) as held:
        if not held:
            return None
        job = _claim(job_id)
        if job is None:
            return None
        return _build(job)


def _build(job: ExportJob) -> ExportJob | None:
    zone = zone_of(job.created_by, getattr(connection, "tenant", None))
    path = new_file_path(job.file_format)
    try:
        with timezone.override(zone), tempfile.TemporaryFile() as target:
            if not job.created_by.is_active:
                raise PermissionError(_("The account that started this export is no longer active."))
            rows = _write_tenant(job, target) if job.kind == ExportKind.TENANT else _write_list(job, target)
            target.seek(0)
            saved = private_storage().save(path, File(target))
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        _discard(path)  # a file cut short (the disk filled up while writing it) is never served
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=failure_reason(error)[:1000], finished_at=timezone.now()
        )
        return None
    path = saved
    now = timezone.now()
    job.status, job.progress, job.row_count, job.file_path = ExportStatus.DONE, 100, rows, path
    job.file_size, job.finished_at, job.expires_at = private_storage().size(path), now, now + retention()
    job.save(update_fields=["status", "progress", "row_count", "file_path", "file_size", "finished_at", "expires_at"])
    return job


def failure_reason(error: BaseException) -> str:
    """What the job records as its error. A full disk is recorded as ``DISK_FULL_ERROR``, which
    the export's page explains in the reader's language (the user can act on it: try later)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL_ERROR
    return str(error)


def _discard(path: str) -> None:
    """Remove whatever part of ``path`` the storage wrote before failing."""
    storage = private_storage()
    try:
        if storage.exists(path):
            storage.delete(path)
    except OSError:
        logger.exception("could not remove the partial export file %s", path)


def resume_unfinished(now: Any = None) -> int:
    """Queue again the jobs queued or running for longer than ``RESUME_AFTER``: a worker that died
    mid-run (or a message lost with the broker) left them; a run still alive keeps its job
    (``core.job_locks``). Returns how many were queued."""
    from modules.dataio.exports.tasks import run_export as run_export_task

    cutoff = (now or timezone.now()) - RESUME_AFTER
    stale = ExportJob.objects.filter(
        status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING), created_at__lte=cutoff
    ).values_list("pk", flat=True)
    ids = list(stale)
    for job_id in ids:
        run_export_task.delay(job_id)
    return len(ids)


def purge_expired(now: Any = None) -> int:
    """Delete the files of jobs past their expiry and mark the jobs expired; returns how many."""
    now = now or timezone.now()
    storage = private_storage()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED).order_by("pk"):
        if job.file_path:
            storage.delete(job.file_path)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED, file_path="", file_size=0)
        purged += 1
    return purged
