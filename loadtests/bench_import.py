"""Import at scale: N contacts from a CSV through the import pipeline vs COPY of the same rows.

One bench tenant; a CSV of N valid contacts (first and last name, e-mail, phone, city, country) is
built in memory. In the same run:

* **COPY (baseline)**: the same rows, with the columns the import would fill (``full_name``,
  owner, timestamps, defaults), streamed into ``contacts_contact`` with PostgreSQL's COPY through
  Django's connection, in one transaction; then removed again (DELETE + VACUUM ANALYZE), so the
  import starts from the same empty table;
* **import pipeline**: the file uploaded through ``upload_file`` (format, encoding and delimiter
  detection, header, suggested mapping), mapped, and run with ``run_import``, exactly what the
  Celery task runs (in this process, so no queue wait is measured): parsing, validation as the
  record services validate, set-based writes in batches of 1,000 (one COPY each for the records and
  for their timeline entries, outbox events and undo links), and the progress cursor per batch.

Both sides must end with N contacts carrying the same e-mails.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.contacts.models import Contact
from modules.dataio.imports.choices import DedupeRule, ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.processing import BATCH_SIZE, run_import
from modules.dataio.imports.services import set_mapping, upload_file
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}import"
# The figures before the batch writes became set-based, for the section's history.
PREVIOUS = (
    "Before (2026-11-24, load 3.2, per-row instances and an INSERT of the events): 1,081 rows/s against "
    "COPY's 8,829, ×8.2 (12 %)."
)
HEADER = ["First name", "Last name", "E-mail", "Phone", "City", "Country"]


def _rows(count: int) -> list[list[str]]:
    return [
        [f"First{n}", f"Last{n}", f"person{n}@import.bench", f"+40 7{n:08d}", "Cluj-Napoca", "RO"] for n in range(count)
    ]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _copy(rows: list[list[str]], owner: User) -> float:
    columns = (
        "first_name, last_name, full_name, job_title, department, owner_id, created_by_id, source, lifecycle_stage, "
        "description, created_at, updated_at, custom, email, additional_emails, phone, additional_phones, street, "
        "city, region, postal_code, country"
    )
    now = timezone.now()
    start = time.perf_counter()
    statement = f"COPY contacts_contact ({columns}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for first, last, email, phone, city, country in rows:
            copy.write_row(
                [first, last, f"{first} {last}", "", "", owner.pk, owner.pk, "", "lead", "", now, now, "{}",
                 email, "{}", phone, "{}", "", city, "", "", country]
            )  # fmt: skip
    return time.perf_counter() - start


def _empty_contacts() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM contacts_contact")
        cursor.execute("VACUUM ANALYZE contacts_contact")


def _import(content: bytes, owner: User) -> tuple[float, float, ImportJob]:
    start = time.perf_counter()
    job = upload_file(entity="contact", upload=SimpleUploadedFile("bench.csv", content), by=owner)
    job = set_mapping(job, mapping=job.mapping, dedupe=DedupeRule.CREATE)
    uploaded = time.perf_counter() - start
    # What start_import does, without queueing: this process runs the task's function itself.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    start = time.perf_counter()
    finished = run_import(job.pk)
    if finished is None:
        raise RuntimeError("the import did not run")
    return uploaded, time.perf_counter() - start, finished


def run(count: int) -> tuple[str, list[str]]:
    log(f"import: creating {SLUG}, {count:,} contacts")
    tenant = create_tenant(SLUG, "clone")
    failures: list[str] = []
    facts: dict[str, Any] = {"count": count}
    try:
        with tenant_context(tenant):
            owner = User.objects.get(email=f"admin@{SLUG}.test")
            rows = _rows(count)
            content = _csv(rows)
            facts["file_mb"] = len(content) / 1024 / 1024
            log("import: COPY baseline")
            facts["copy"] = _copy(rows, owner)
            copied = set(Contact.objects.values_list("email", flat=True))
            _empty_contacts()
            log("import: the import pipeline")
            facts["upload"], facts["run"], job = _import(content, owner)
            imported = set(Contact.objects.values_list("email", flat=True))
            facts["job"] = (job.status, job.created_count, job.failed_count)
            if job.created_count != count or imported != copied or len(imported) != count:
                failures.append(f"import: expected {count:,} contacts, job says {facts['job']}")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(facts), failures


def _section(facts: dict[str, Any]) -> str:
    count = facts["count"]
    rows: list[list[str]] = []
    if "copy" in facts:
        rows.append(
            ["COPY of the same rows (baseline)", report.seconds(facts["copy"]), f"{count / facts['copy']:,.0f}"]
        )
    if "run" in facts:
        total = facts["upload"] + facts["run"]
        rows.append(["import: upload, detection, mapping", report.seconds(facts["upload"]), ""])
        rows.append(
            ["import: run (parse, validate, write)", report.seconds(facts["run"]), f"{count / facts['run']:,.0f}"]
        )
        rows.append(["import: total", report.seconds(total), f"{count / total:,.0f}"])
    ratio = ""
    if "run" in facts and "copy" in facts:
        ratio = (
            f"Import run / COPY: ×{facts['run'] / facts['copy']:.1f}, the import at "
            f"{facts['copy'] / facts['run']:.0%} of COPY's rows/s. Goals: ≥ 5,000 rows/s and ≥ 40 % of COPY. "
            f"{PREVIOUS}"
        )
    return "\n".join(
        [
            "## Import: 100,000 contacts through the import pipeline vs COPY",
            "",
            report.machine(server_version()),
            "",
            f"{count:,} contacts in a {facts.get('file_mb', 0):.1f} MB CSV (name, e-mail, phone, city, country), "
            f"one sample each, in the same run and the same table (emptied in between). The import run is the "
            f"Celery task's function in this process, in batches of {BATCH_SIZE:,}: per row the model and "
            "custom-field validation the record services apply, the record, its timeline entry, its outbox "
            "event and its undo link, written per batch (one COPY each for the records, the timeline entries, "
            "the events and the undo links); per batch the cursor. COPY writes the contact rows only.",
            "",
            report.table(["measurement", "time", "rows/s"], rows),
            "",
            ratio,
            "",
            "Job at the end: {}, {:,} created, {:,} failed.".format(*facts["job"]) if "job" in facts else "",
        ]
    )
