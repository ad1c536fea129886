"""Undo of a whole import, resumed and repeated runs, queries per batch, and tenant isolation of runs."""

from __future__ import annotations

from itertools import islice

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.events.models import DomainEvent
from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.contacts.models import Company, Contact
from modules.contacts.services.contacts import update_contact
from modules.dataio.imports.choices import DedupeRule, ImportStatus
from modules.dataio.imports.models import ImportedRecord, ImportJob
from modules.dataio.imports.processing import _save_batch, _start, data_rows, run_import
from modules.dataio.imports.rows import RowReader
from modules.dataio.imports.services import start_import, undo_import
from modules.dataio.imports.tasks import run_import_job
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.factories import CompanyFactory, ContactFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

HEADER = ["First name", "Last name", "E-mail", "Company", "Owner", "Score", "Tags"]


def _people(count: int, *, start: int = 0) -> list[list[str]]:
    return [
        [f"Person{n}", "Tester", f"p{n}@import.example", "Acme", REP_EMAIL, str(n), "imported"]
        for n in range(start, start + count)
    ]


def _contact_state() -> dict[int, tuple[object, ...]]:
    return {
        c.pk: (c.first_name, c.last_name, c.email, c.company_id, c.custom, sorted(t.pk for t in c.tags.all()))
        for c in Contact.objects.prefetch_related("tags")
    }


def test_undo_removes_exactly_what_the_import_added_and_restores_what_it_changed(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity=Entity.CONTACT, key="score", label="Score", field_type="number")
        CompanyFactory(name="Acme")
        kept = ContactFactory(first_name="Keep", last_name="Me", email="keep@example.test")
        changed = ContactFactory(first_name="Ana", last_name="Old", email="p1@import.example", custom={"score": 5})
        before = _contact_state()
        job = uploaded_job("contact", csv_bytes([HEADER, *_people(30)]), by=alpha.user(), dedupe=DedupeRule.UPDATE)
        job = imported(job, batch_size=7)
        assert (job.created_count, job.updated_count) == (29, 1)
        created = set(ImportedRecord.objects.filter(job=job, action="created").values_list("record_id", flat=True))
        assert set(_contact_state()) == set(before) | created
        first_event = DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

        job = undo_import(job, by=alpha.user())

        events = list(DomainEvent.objects.filter(pk__gt=first_event).values_list("type", "record_id"))
        after = _contact_state()
    assert after == before  # ids and values: the created ones gone, the updated one as it was
    assert after[kept.pk][0] == "Keep"
    assert sorted(events) == sorted([("contact.deleted", pk) for pk in created] + [("contact.updated", changed.pk)])
    assert (job.status, job.undo_kept) == (ImportStatus.UNDONE, 0)


def test_undo_keeps_records_changed_after_the_import(alpha: TenantFixture) -> None:
    with alpha.active():
        CompanyFactory(name="Acme")
        job = uploaded_job("contact", csv_bytes([HEADER[:5], *(r[:5] for r in _people(3))]), by=alpha.user())
        imported(job)
        edited = Contact.objects.get(email="p0@import.example")
        update_contact(edited, by=alpha.user(), job_title="Edited later")

        job = undo_import(job, by=alpha.user())

        remaining = list(Contact.objects.filter(email__endswith="@import.example").values_list("pk", flat=True))
        with pytest.raises(ValidationError):
            undo_import(job, by=alpha.user())
    assert (remaining, job.undo_kept) == ([edited.pk], 1)


def test_a_resumed_run_continues_after_the_last_committed_batch_and_never_imports_a_row_twice(
    alpha: TenantFixture,
) -> None:
    with alpha.active():
        CompanyFactory(name="Acme")
        job = uploaded_job("contact", csv_bytes([HEADER[:5], *(r[:5] for r in _people(25))]), by=alpha.user())
        start_import(job, by=job.created_by)
        job = _start(job.pk)
        assert job is not None
        reader = RowReader(job, job.created_by)
        first = list(islice(data_rows(job), 10))
        # A worker committed one batch, then died.
        assert _save_batch(job.pk, 0, first, reader)

        resumed = run_import(job.pk, batch_size=4)
        again = run_import(job.pk)
        stale = _save_batch(job.pk, 0, first, RowReader(job, job.created_by))
        emails = list(Contact.objects.filter(email__endswith="@import.example").values_list("email", flat=True))
    assert resumed is not None
    assert (resumed.status, resumed.created_count, resumed.processed_rows) == (ImportStatus.DONE, 25, 25)
    assert (again, stale) == (None, False)
    assert sorted(emails) == sorted(f"p{n}@import.example" for n in range(25))


def test_a_batch_costs_the_same_queries_whatever_its_size(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="score", label="Score", field_type=FieldType.NUMBER
        )
        CompanyFactory(name="Acme")
        TagFactory(name="imported")  # the first batch would create it, the second not: same start for both
        ContactFactory(email="p3@import.example")
        ContactFactory(email="p62@import.example")
        counts = []
        for size, start in ((10, 0), (50, 60)):
            rows = _people(size, start=start)
            rows[1][2] = "broken"  # one bad row each
            job = uploaded_job("contact", csv_bytes([HEADER, *rows]), by=alpha.user(), dedupe=DedupeRule.UPDATE)
            start_import(job, by=job.created_by)
            job = _start(job.pk)
            assert job is not None
            batch = list(data_rows(job))
            reader = RowReader(job, job.created_by)
            reader.users()
            with CaptureQueriesContext(connection) as queries:
                assert _save_batch(job.pk, 0, batch, reader)
            counts.append(len(queries))
            job.refresh_from_db()
            assert (job.created_count, job.updated_count, job.failed_count) == (size - 2, 1, 1)
    assert counts[0] == counts[1]


def test_a_task_queued_in_beta_for_alphas_job_writes_nothing_anywhere(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Acme")
        job = uploaded_job("contact", csv_bytes([HEADER[:3], ["Ana", "Pop", "ana@example.test"]]), by=alpha.user())
        start_import(job, by=job.created_by)
    alpha_before, beta_before = schema_snapshot(alpha.tenant), schema_snapshot(beta.tenant)

    with beta.active():
        result = run_import_job.apply(args=(job.pk,)).get()
        assert not ImportJob.objects.filter(pk=job.pk, original_name=job.original_name).exists()

    assert result == "nothing-to-do"
    assert (schema_snapshot(alpha.tenant), schema_snapshot(beta.tenant)) == (alpha_before, beta_before)
    with alpha.active():
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED
        assert not Company.objects.filter(name="Ana").exists()
