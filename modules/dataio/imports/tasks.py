"""The import run in a worker, in the schema of the tenant that queued it (tenant-schemas-celery).

A run holds the job (``core.job_locks``) while it works; a worker killed mid-import lets go with
its database connection, and ``modules.dataio.exports.tasks.resume_dataio_jobs`` (beat) queues
the job again: the next run goes on from the job's cursor, the last batch that committed."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from core.job_locks import job_runner
from modules.dataio.imports.processing import fail, read_file, run_import
from tenants.services.fleet import runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=5)
def run_import_job(self, job_id: int) -> str:  # type: ignore[no-untyped-def]
    """Import the job's remaining rows. Idempotent: a retried or redelivered task continues from the
    job's cursor; a job id of another tenant does not exist in this schema, so nothing happens."""
    if not runs_in_a_tenant("run_import_job"):
        return "no-tenant"
    with job_runner("import", job_id) as held:
        if not held:  # another live run has it; a run that died let go with its connection
            return "busy"
        return _run(self, job_id)


def _run(task, job_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        job = run_import(job_id)
    except OperationalError as error:  # the database went away mid-run: the cursor says where to go on
        raise task.retry(exc=error, countdown=min(300, 10 * 2**task.request.retries)) from error
    except Exception as error:  # a refused file (ValidationError) or a bug: the job says so, no retry loop
        fail(job_id, error)
        return "failed"
    return job.status if job is not None else "nothing-to-do"


@shared_task(bind=True, acks_late=True, max_retries=5)
def read_import_file(self, job_id: int) -> str:  # type: ignore[no-untyped-def]
    """Read an uploaded workbook's header and first rows within the limits (``processing.read_file``);
    the job then waits for its mapping, or fails with the reason."""
    if not runs_in_a_tenant("read_import_file"):
        return "no-tenant"
    try:
        job = read_file(job_id)
    except OperationalError as error:
        raise self.retry(exc=error, countdown=min(300, 10 * 2**self.request.retries)) from error
    except Exception as error:  # a refused file (ValidationError) or a bug: the job says so
        fail(job_id, error)
        return "failed"
    return job.status if job is not None else "nothing-to-do"
