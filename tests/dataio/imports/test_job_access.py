"""Whose import jobs a user may open, and what undo may touch: the creator or an admin open a job
(as for exports); undo needs the module's delete permission and every record in sight, or nothing
is undone."""

from __future__ import annotations

from modules.contacts.models import Contact
from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from tests.dataio.imports.conftest import csv_bytes, imported, job_requests, uploaded_job
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, grant, schema_snapshot

ROWS = [
    ["First name", "Last name", "E-mail"],
    ["Ana", "Pop", "ana@access.example"],
    ["Ion", "Rus", "ion@access.example"],
]


def _finished_job(tenant: TenantFixture, email: str, rows: list[list[str]] = ROWS) -> ImportJob:
    with tenant.active():
        return imported(uploaded_job("contact", csv_bytes(rows), by=tenant.user(email)))


def test_another_importer_cannot_open_download_or_drive_someone_elses_jobs(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import")
    done = _finished_job(alpha, ADMIN_EMAIL)
    with alpha.active():
        mapped = uploaded_job("contact", csv_bytes(ROWS), by=alpha.user())
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    requests = job_requests(done, mapped)
    answers = {(method, path): getattr(rep, method)(path, data).status_code for method, path, data in requests}
    history = rep.get("/imports/").content.decode()

    assert set(answers.values()) == {404}
    assert 'data-testid="import-row"' not in history
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Contact.objects.filter(email__endswith="@access.example").count() == 2
        assert ImportJob.objects.get(pk=mapped.pk).status == ImportStatus.MAPPING


def test_the_creator_and_an_admin_open_a_job(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import")
    with alpha.active():
        job = uploaded_job("contact", csv_bytes(ROWS), by=alpha.user(REP_EMAIL))

    by_creator = alpha.client(REP_EMAIL).get(f"/imports/{job.pk}/file/")
    by_admin = alpha.client().get(f"/imports/{job.pk}/file/")
    history = alpha.client().get("/imports/").content.decode()

    assert b"".join(by_creator.streaming_content) == csv_bytes(ROWS)
    assert b"".join(by_admin.streaming_content) == csv_bytes(ROWS)
    assert history.count('data-testid="import-row"') == 1


def test_undo_needs_the_modules_delete_permission(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import")
    job = _finished_job(alpha, REP_EMAIL)
    rep = alpha.client(REP_EMAIL)

    page = rep.get(f"/imports/{job.pk}/undo/").content.decode()
    refused = rep.post(f"/imports/{job.pk}/undo/", follow=True)

    message = "Undoing an import deletes records: your role does not include “Customers: delete”."
    assert message in page
    assert 'data-testid="confirm-undo"' not in page
    assert message in refused.content.decode()
    with alpha.active():
        assert Contact.objects.filter(email__endswith="@access.example").count() == 2
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_undo_touching_records_out_of_sight_is_refused_and_undoes_nothing(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import", "contacts.delete")
    job = _finished_job(alpha, REP_EMAIL)
    with alpha.active():
        # Handed to someone else since (update() leaves updated_at, so undo would delete it).
        Contact.objects.filter(email="ion@access.example").update(owner=alpha.user())
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    page = rep.get(f"/imports/{job.pk}/undo/").content.decode()
    refused = rep.post(f"/imports/{job.pk}/undo/", follow=True)

    message = (
        "This import cannot be undone by you: the record of row 3 belongs to someone whose records you do not"
        " see. Nothing was undone; ask an administrator."
    )
    assert message in page
    assert message in refused.content.decode()
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Contact.objects.filter(email__endswith="@access.example").count() == 2
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_undo_of_records_all_in_sight_with_the_delete_permission_removes_them(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import", "contacts.delete")
    job = _finished_job(alpha, REP_EMAIL)

    undone = alpha.client(REP_EMAIL).post(f"/imports/{job.pk}/undo/")

    assert undone.status_code == 302
    with alpha.active():
        assert not Contact.objects.filter(email__endswith="@access.example").exists()
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.UNDONE


def test_an_import_cannot_make_someone_out_of_sight_the_owner(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "data.import")
    rows = [[*ROWS[0], "Owner"], [*ROWS[1], REP_EMAIL], [*ROWS[2], ADMIN_EMAIL]]

    job = _finished_job(alpha, REP_EMAIL, rows)

    with alpha.active():
        assert list(Contact.objects.filter(email__endswith="@access.example").values_list("email", "owner__email")) == [
            ("ana@access.example", REP_EMAIL)
        ]
        errors = list(job.row_errors.values_list("row_number", "errors"))
    assert errors == [
        (3, {"owner": [f"{ADMIN_EMAIL} cannot be made owner: their records are not among those you see."]})
    ]
