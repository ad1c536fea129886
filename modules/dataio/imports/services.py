"""Writes of record imports: upload a file, map its columns, start the run, undo it.

Undo removes the records the import created and puts back the values it overwrote, in one
transaction with one event per record. A record someone changed after the import (its
``updated_at`` differs from the one the import left) is kept as it is and counted, so undo never
destroys later work; records deleted since are simply gone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.validation import definitions_for
from identity.models import User
from identity.permissions import all_permissions
from identity.services.audit import audit
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company
from modules.contacts.services.bulk import COMPANIES, CONTACTS, BulkKind, delete_records, restore_records
from modules.dataio.imports.choices import DedupeRule, FileFormat, ImportEntity, ImportStatus, RecordAction
from modules.dataio.imports.models import ImportedRecord, ImportJob
from modules.dataio.imports.parsing import column_titles, first_rows, header_and_rows, inspect
from modules.dataio.imports.processing import missing_companies
from modules.dataio.imports.targets import MATCH_KEYS, REQUIRED_ANY, suggest_mapping, targets_for
from modules.dataio.imports.workbook import check_package
from modules.registry import is_enabled
from modules.sales.services.bulk_records import DEALS, LEADS
from modules.sales.services.orders_bulk import ORDERS

KINDS: dict[str, BulkKind] = {
    ImportEntity.COMPANY: COMPANIES,
    ImportEntity.CONTACT: CONTACTS,
    ImportEntity.LEAD: LEADS,
    ImportEntity.DEAL: DEALS,
    ImportEntity.ORDER: ORDERS,
}
NAME_FIELDS: dict[str, str] = {
    ImportEntity.COMPANY: "name",
    ImportEntity.CONTACT: "full_name",
    ImportEntity.LEAD: "full_name",
    ImportEntity.ORDER: "number",
}
MODULE_OF: dict[str, str] = {
    ImportEntity.COMPANY: "contacts",
    ImportEntity.CONTACT: "contacts",
    ImportEntity.LEAD: "sales",
    ImportEntity.DEAL: "sales",
    ImportEntity.ORDER: "sales",
}


# How many file rows an undo refusal names before it says "…".
HIDDEN_ROWS_NAMED = 10


def max_file_bytes() -> int:
    return int(settings.IMPORT_MAX_FILE_BYTES)


def may_import(user: Any, tenant: Any, entity: str) -> bool:
    """``data.import``, the record module enabled, and its change permission."""
    module = MODULE_OF.get(entity)
    return bool(
        module and is_enabled(tenant, module) and user.has_perm("data.import") and user.has_perm(f"{module}.change")
    )


def upload_file(*, entity: str, upload: UploadedFile, by: User | None) -> ImportJob:
    """Store the file under the tenant's folder. A CSV's header and first rows are read here and
    the mapping is suggested; an XLSX is only checked to be a workbook within the size limit and
    is read by the worker (``read_import_file``), since unpacking it can cost far more than its size."""
    from modules.dataio.imports.tasks import read_import_file

    if entity not in ImportEntity.values:
        raise ValidationError({"entity": [_("Choose what the file holds.")]})
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if upload.size > max_file_bytes():
        limit = max_file_bytes() // (1024 * 1024)
        raise ValidationError({"file": [_("The file is larger than %(limit)d MB.") % {"limit": limit}]})
    stream: Any = upload.file
    info = inspect(upload.name or "", stream)
    job = ImportJob(
        entity=entity,
        original_name=(upload.name or "import")[:255],
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        created_by=by,
    )
    if info.file_format == FileFormat.XLSX:
        check_package(stream)
        job.status = ImportStatus.READING
    else:
        stream.seek(0)
        header, rows = header_and_rows(stream, info)
        job.sample_rows = first_rows(header, rows)
        job.header = column_titles(header)
        job.mapping = suggest_mapping(header, targets_for(entity))
    upload.seek(0)
    job.file.save(upload.name or "import", upload, save=False)
    job.save()
    if job.status == ImportStatus.READING:
        transaction.on_commit(lambda: read_import_file.delay(job.pk))
    return job


def mapping_errors(entity: str, header: list[str], mapping: list[str], dedupe: str) -> dict[str, list[str]]:
    """Field-named errors of a column mapping (``column_<n>`` for one column, ``mapping`` for all)."""
    errors: dict[str, list[str]] = {}
    targets = {target.key: target for target in targets_for(entity)}
    if len(mapping) != len(header):
        return {"mapping": [_("Map every column of the file (or leave it out).")]}
    used: dict[str, int] = {}
    for index, key in enumerate(mapping):
        if not key:
            continue
        if key not in targets:
            errors[f"column_{index}"] = [_("Choose a field from the list.")]
        elif key in used:
            errors[f"column_{index}"] = [
                _("“%(field)s” is already mapped to the column %(column)s.")
                % {"field": targets[key].label, "column": header[used[key]]}
            ]
        else:
            used[key] = index
    required = REQUIRED_ANY[entity]
    if not any(key in used for key in required):
        labels = " / ".join(targets[key].label for key in required)
        errors.setdefault("mapping", []).append(_("Map a column to %(fields)s.") % {"fields": labels})
    for definition in definitions_for(entity):
        if definition.required and definition.default is None and f"custom.{definition.key}" not in used:
            message = _("Map a column to %(field)s: it is required.") % {"field": definition.display_label}
            errors.setdefault("mapping", []).append(message)
    if dedupe not in DedupeRule.values:
        errors["dedupe"] = [_("Choose what to do with existing records.")]
    elif dedupe != DedupeRule.CREATE and not any(key in used for key in MATCH_KEYS[entity]):
        labels = " / ".join(targets[key].label for key in MATCH_KEYS[entity])
        errors["dedupe"] = [_("Existing records are found by %(fields)s: map that column.") % {"fields": labels}]
    return errors


def set_mapping(job: ImportJob, *, mapping: list[str], dedupe: str) -> ImportJob:
    if job.status != ImportStatus.MAPPING:
        raise ValidationError(_("This import has already started."))
    errors = mapping_errors(job.entity, job.header, mapping, dedupe)
    if errors:
        raise ValidationError(errors)
    job.mapping = mapping
    job.dedupe = dedupe
    # Counted once here, with the whole file read, rather than on every view of the preview.
    job.missing_company_count = missing_companies(job, job.created_by)
    job.save(update_fields=["mapping", "dedupe", "missing_company_count"])
    return job


def set_create_missing_companies(job: ImportJob, *, create: bool) -> ImportJob:
    """Whether rows naming a company nobody has yet create it (contacts and deals only)."""
    if job.status != ImportStatus.MAPPING:
        raise ValidationError(_("This import has already started."))
    if job.entity not in (ImportEntity.CONTACT, ImportEntity.DEAL):
        raise ValidationError({"create_missing_companies": [_("Only contacts and deals name a company.")]})
    job.create_missing_companies = create
    job.save(update_fields=["create_missing_companies"])
    return job


def start_import(job: ImportJob, *, by: User | None) -> ImportJob:
    """Queue the run (after commit); a started job cannot start again."""
    from modules.dataio.imports.tasks import run_import_job

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.MAPPING:
            raise ValidationError(_("This import has already started."))
        errors = mapping_errors(job.entity, job.header, job.mapping, job.dedupe)
        if errors:
            raise ValidationError(errors)
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["status"])
        audit(
            "import.started",
            _("Import of %(entity)s from %(file)s started.")
            % {"entity": job.get_entity_display(), "file": job.original_name},
            by=by,
            target=f"import:{job.pk}",
            details={"entity": job.entity, "file": job.original_name, "dedupe": job.dedupe},
        )
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def _chunks(items: list[Any], size: int = 1000) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def undo_refusal(job: ImportJob, *, by: User) -> str | None:
    """Why ``by`` may not undo the import, or None. Undo deletes records, so it needs the module's
    delete permission, and it touches only records ``by`` sees: when the import's records include
    some outside their visibility (since reassigned, or imported for others), nothing is undone and
    the file's rows of those records are named (the file is theirs, so the rows reveal nothing)."""
    module = MODULE_OF[job.entity]
    code = f"{module}.delete"
    if not by.has_perm(code):
        label = all_permissions().get(code, code)
        return _("Undoing an import deletes records: your role does not include “%(permission)s”.") % {
            "permission": label
        }
    model = KINDS[job.entity].model
    record_ids = job.records.values("record_id")
    existing = model._default_manager.filter(pk__in=record_ids)
    visible = restrict_to_visible(existing, by)
    hidden = existing.exclude(pk__in=visible.values("pk")).values("pk")
    rows = sorted(job.records.filter(record_id__in=hidden).values_list("row_number", flat=True).distinct())
    if not rows:
        return None
    shown = ", ".join(str(row) for row in rows[:HIDDEN_ROWS_NAMED])
    if len(rows) > HIDDEN_ROWS_NAMED:
        shown += " …"
    return ngettext(
        "This import cannot be undone by you: the record of row %(rows)s belongs to someone whose records "
        "you do not see. Nothing was undone; ask an administrator.",
        "This import cannot be undone by you: the records of rows %(rows)s belong to people whose records "
        "you do not see. Nothing was undone; ask an administrator.",
        len(rows),
    ) % {"rows": shown}


def undo_import(job: ImportJob, *, by: User) -> ImportJob:
    """Remove what the import added and restore what it changed, all or nothing; refused as a whole
    (``undo_refusal``) when ``by`` may not delete or see every record it would touch."""
    kind = KINDS[job.entity]
    model = kind.model
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
            raise ValidationError(_("Only a finished import can be undone."))
        refusal = undo_refusal(job, by=by)
        if refusal is not None:
            raise ValidationError(refusal, code="undo_refused")
        kept = 0
        updated = list(job.records.filter(action=RecordAction.UPDATED).order_by("id"))
        for chunk in _chunks(updated):
            records = model._default_manager.select_related(*_related(job.entity)).in_bulk([r.record_id for r in chunk])
            restore = []
            for link in chunk:
                record: Any = records.get(link.record_id)
                if record is None:
                    continue
                if record.updated_at != link.stamp:
                    kept += 1
                    continue
                restore.append((record, link.previous or {}))
            restore_records(kind, restore, by=by)
        created = job.records.filter(action=RecordAction.CREATED).values_list("record_id", "stamp")
        removable = []
        for chunk in _chunks(list(created)):
            stamps = dict(
                model._default_manager.filter(pk__in=[pk for pk, _s in chunk]).values_list("pk", "updated_at")
            )
            for pk, stamp in chunk:
                if pk not in stamps:
                    continue
                if stamps[pk] != stamp:
                    kept += 1
                else:
                    removable.append(pk)
        delete_records(model, removable, by=by, name_field=NAME_FIELDS.get(job.entity, "name"))
        kept += _remove_created_companies(job, by=by)
        job.status = ImportStatus.UNDONE
        job.undone_at = timezone.now()
        job.undone_by = by
        job.undo_kept = kept
        job.save(update_fields=["status", "undone_at", "undone_by", "undo_kept"])
        audit(
            "import.undone",
            _("Import of %(entity)s from %(file)s undone.")
            % {"entity": job.get_entity_display(), "file": job.original_name},
            by=by,
            target=f"import:{job.pk}",
            details={"kept": kept},
        )
    return job


def _remove_created_companies(job: ImportJob, *, by: User) -> int:
    """Delete the companies the import created for its rows; returns how many stay because they
    changed since or now hold contacts or deals the import did not bring (they are someone's now)."""
    if not job.created_companies:
        return 0
    stamps = {int(pk): stamp for pk, stamp in job.created_companies}
    current = restrict_to_visible(Company.objects.filter(pk__in=stamps), by).annotate(
        linked=Count("contacts", distinct=True) + Count("deals", distinct=True)
    )
    removable = [
        company.pk
        for company in current
        if company.updated_at.isoformat() == stamps[company.pk] and company.linked == 0
    ]
    delete_records(Company, removable, by=by, name_field="name")
    return len(stamps) - len(removable)


def _related(entity: str) -> tuple[str, ...]:
    related: dict[str, tuple[str, ...]] = {
        ImportEntity.CONTACT: ("company",),
        ImportEntity.DEAL: ("company", "contact"),
        ImportEntity.ORDER: ("company", "contact"),
    }
    return related.get(entity, ())


def undo_counts(job: ImportJob) -> dict[str, int]:
    counts = dict.fromkeys(RecordAction.values, 0)
    for action in RecordAction.values:
        counts[action] = ImportedRecord.objects.filter(job=job, action=action).count()
    counts["companies"] = len(job.created_companies)
    return counts
