"""Running an import: the file's rows in batches, each batch one transaction that writes its records,
their undo links, the refused rows and the advanced cursor together.

A run that dies mid-way (worker lost, deploy) is simply run again: it skips the rows the cursor
says are done. Two runs of one job cannot interleave: each batch locks the job row and checks that
the cursor is where the run expects it."""

from __future__ import annotations

import logging
from collections.abc import Generator
from datetime import timedelta
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk_copy import copy_rows
from identity.models import User
from modules.contacts.models import Company
from modules.contacts.services.bulk import write_plan
from modules.dataio.imports.choices import FileFormat, ImportStatus, RecordAction
from modules.dataio.imports.models import ImportedRecord, ImportJob, ImportRowError
from modules.dataio.imports.order_lines import batches
from modules.dataio.imports.parsing import SAMPLE_ROWS, FileInfo, column_titles, first_rows, header_and_rows
from modules.dataio.imports.rows import BatchOutcome, RowReader, missing_company_names
from modules.dataio.imports.targets import LINE_TARGETS, suggest_mapping, targets_for
from modules.dataio.imports.workbook import check_contents

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# An unfinished import this old is queued again (resume_unfinished): its run died, or its message.
RESUME_AFTER = timedelta(minutes=2)
PREVIEW_ROWS = SAMPLE_ROWS


def file_info(job: ImportJob) -> FileInfo:
    return FileInfo(job.file_format, job.encoding, job.delimiter)


def data_rows(job: ImportJob) -> Generator[tuple[int, list[str]]]:
    """The job's data rows; the caller closes the file by exhausting or closing the iterator."""
    with job.file.open("rb") as stream:
        _header, rows = header_and_rows(stream, file_info(job))
        yield from rows


def sample_rows(job: ImportJob) -> list[tuple[int, list[str]]]:
    """The first data rows as read at upload (or by the worker); a job stored before they were
    kept reads them from its file."""
    if job.sample_rows:
        return [(int(number), list(cells)) for number, cells in job.sample_rows]
    return list(islice(data_rows(job), PREVIEW_ROWS))


def read_file(job_id: int) -> ImportJob | None:
    """The worker's reading of an uploaded workbook: bounded unpacking (``workbook``), then the
    header, the first rows, the row count (every cell counted against the limit) and the suggested
    mapping. A refused file raises ``ValidationError``; the task records it on the job."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.READING).first()
    if job is None:
        return None
    with job.file.open("rb") as stream:
        if job.file_format == FileFormat.XLSX:
            check_contents(stream)
        header, rows = header_and_rows(stream, file_info(job))
        samples = first_rows(header, rows)
        total = len(samples) + sum(1 for _row in rows)
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READING).update(
        header=column_titles(header),
        mapping=suggest_mapping(header, targets_for(job.entity)),
        sample_rows=samples,
        total_rows=total,
        status=ImportStatus.MAPPING,
    )
    job.refresh_from_db()
    return job


def preview(job: ImportJob, user: User | None) -> tuple[list[tuple[int, list[str]]], BatchOutcome]:
    """The first rows and what importing them would do; nothing is kept (not even new tags)."""
    rows = sample_rows(job)
    with transaction.atomic():
        outcome = RowReader(job, user).evaluate(rows)
        transaction.set_rollback(True)
    return rows, outcome


def missing_companies(job: ImportJob, user: User | None) -> int:
    """How many companies the whole file names that ``user`` finds none of (one of each name):
    what "create the missing companies" would create. The file is read once, the names looked up
    a batch at a time."""
    if "company" not in job.mapping or job.entity not in ("contact", "deal"):
        return 0
    reader = RowReader(job, user)
    missing: set[str] = set()
    source = data_rows(job)
    try:
        while batch := list(islice(source, BATCH_SIZE)):
            texts = [reader.cells(cells) for _number, cells in batch]
            names = {row["company"].lower() for row in texts if row.get("company")}
            found = reader.companies_named(names)
            missing.update(missing_company_names(texts, found))
    finally:
        source.close()
    return len(missing)


def missing_company_count(job: ImportJob) -> int:
    """The stored count of missing companies (for the job's creator, whose visibility the run uses),
    counted now and kept when the job has none yet (a mapping never saved, a job from before)."""
    if job.missing_company_count is None:
        job.missing_company_count = missing_companies(job, job.created_by)
        ImportJob.objects.filter(pk=job.pk).update(missing_company_count=job.missing_company_count)
    return job.missing_company_count


def line_columns(job: ImportJob) -> list[int]:
    """Where an order file's line cells are (none: the file brings order headers only)."""
    keys = {f"line_{name}" for name in LINE_TARGETS.get(job.entity, ())}
    return [index for index, key in enumerate(job.mapping) if key in keys]


def order_counts(job: ImportJob) -> tuple[int, int] | None:
    """How many orders (distinct numbers) and lines (rows with a line cell) the whole file holds,
    for an order file with line columns; None otherwise. The file is read once."""
    lines_at = line_columns(job)
    if not lines_at or "number" not in job.mapping:
        return None
    number_at = job.mapping.index("number")
    numbers: set[str] = set()
    lines = 0
    source = data_rows(job)
    try:
        for _row, cells in source:
            if number_at < len(cells) and cells[number_at].strip():
                numbers.add(" ".join(cells[number_at].split()).lower())
            lines += any(index < len(cells) and cells[index].strip() for index in lines_at)
    finally:
        source.close()
    return len(numbers), lines


def _save_batch(job_id: int, expected: int, rows: list[tuple[int, list[str]]], reader: RowReader) -> bool:
    """Import one batch; False when another run already moved the cursor (this one stops)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.RUNNING or job.processed_rows != expected:
            return False
        reader.job = job
        reader.new_companies = []
        outcome = reader.evaluate(rows)
        if reader.new_companies:
            stamps = Company.objects.filter(pk__in=[company.pk for company in reader.new_companies])
            job.created_companies = job.created_companies + [
                [pk, stamp.isoformat()] for pk, stamp in stamps.values_list("pk", "updated_at").order_by("pk")
            ]
            job.save(update_fields=["created_companies"])
        plan = outcome.plan
        write_plan(plan, by=reader.user)
        copy_rows(
            ImportedRecord,
            ["job_id", "record_id", "action", "row_number", "previous", "stamp"],
            [
                (
                    job.pk,
                    row.instance.pk,
                    RecordAction.CREATED if row.created else RecordAction.UPDATED,
                    row.number,
                    None if row.created else row.previous,
                    row.instance.updated_at,
                )
                for row in plan.planned
                if row.created or row.changes
            ],
        )
        cells = dict(rows)
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(job=job, row_number=number, values=cells[number], errors=errors)
                for number, errors in sorted(outcome.errors.items())
            ]
        )
        unchanged = sum(1 for row in plan.planned if not row.created and not row.changes)
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(rows),
            created_count=F("created_count") + len(plan.created),
            updated_count=F("updated_count") + len(plan.updated),
            skipped_count=F("skipped_count") + len(outcome.skipped) + unchanged,
            failed_count=F("failed_count") + len(outcome.errors),
        )
    return True


def _start(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            return None
        if job.total_rows is None:
            job.total_rows = sum(1 for _row in data_rows(job))
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "total_rows"])
    return job


def run_import(job_id: int, *, batch_size: int = BATCH_SIZE) -> ImportJob | None:
    """Import every row not imported yet, then mark the job done. Safe to call again at any point."""
    job = _start(job_id)
    if job is None:
        return None
    reader = RowReader(job, job.created_by)
    cursor = job.processed_rows
    source = data_rows(job)
    # An order's consecutive rows stay in one batch, so it is imported whole.
    number_column = job.mapping.index("number") if reader.has_lines and "number" in job.mapping else None
    try:
        for batch in batches(islice(source, cursor, None), batch_size, number_column):
            if not _save_batch(job.pk, cursor, batch, reader):
                return None
            cursor += len(batch)
    finally:
        source.close()
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), total_rows=cursor
    )
    job.refresh_from_db()
    return job


def resume_unfinished(now: Any = None) -> int:
    """Queue again the imports queued or running for longer than ``RESUME_AFTER`` (their worker
    died, or their message was lost); a run still alive keeps its job. Returns how many."""
    from modules.dataio.imports.tasks import run_import_job

    cutoff = (now or timezone.now()) - RESUME_AFTER
    ids = list(
        ImportJob.objects.filter(
            status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING), created_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    for job_id in ids:
        run_import_job.delay(job_id)
    return len(ids)


def fail(job_id: int, error: Exception) -> None:
    """Stop a job whose run cannot go on; what earlier batches imported stays (and can be undone)."""
    if isinstance(error, ValidationError):
        message = " ".join(error.messages)
    else:
        logger.error("import %s failed", job_id, exc_info=error)
        message = _("The import stopped on an unexpected error (%(error)s).") % {"error": error.__class__.__name__}
    active = [ImportStatus.READING, ImportStatus.QUEUED, ImportStatus.RUNNING]
    ImportJob.objects.filter(pk=job_id, status__in=active).update(
        status=ImportStatus.FAILED, finished_at=timezone.now(), error=message
    )
