"""Contacts (and deals) naming a company that does not exist yet: the preview says how many, the
importer may have them created, and undoing the import removes them again."""

from __future__ import annotations

from modules.contacts.models import Company, Contact
from modules.dataio.imports import processing
from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.dataio.imports.processing import missing_companies
from modules.dataio.imports.services import set_create_missing_companies, undo_import
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

HEADER = ["First name", "Last name", "E-mail", "Company"]
ROWS = [
    ["Ana", "Pop", "ana@ux.example", "UX Import SRL"],
    ["Bo", "Li", "bo@ux.example", "ux import srl"],  # the same company, written otherwise
    ["Cy", "Ng", "cy@known.example", "Known Ltd"],
    ["Di", "Ox", "di@other.example", "Other New GmbH"],
]


def _job(alpha: TenantFixture, *, email: str = ADMIN_EMAIL):
    return uploaded_job(
        "contact",
        csv_bytes([HEADER, *ROWS]),
        by=alpha.user(email),
        mapping=["first_name", "last_name", "email", "company"],
    )


def test_without_the_choice_the_rows_naming_a_missing_company_fail(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Known Ltd", owner=alpha.user())
        job = imported(_job(alpha))
        errors = sorted(str(error.errors["company"]) for error in job.row_errors.all())

        assert job.created_count == 1
        assert job.failed_count == 3
        assert "No company is called “UX Import SRL”." in " ".join(errors)


def test_the_preview_says_how_many_companies_are_missing_and_offers_to_create_them(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Known Ltd", owner=alpha.user())
        job = _job(alpha)
        assert missing_companies(job, alpha.user()) == 2

    page = alpha.client().get(f"/imports/{job.pk}/preview/").content.decode()
    chosen = alpha.client().post(f"/imports/{job.pk}/missing-companies/", {"create": "1"})
    after = alpha.client().get(f"/imports/{job.pk}/preview/").content.decode()

    assert "The file names 2 companies that do not exist yet" in page
    assert "Create the 2 missing companies" in page
    assert chosen.status_code == 302
    assert "The import will create the 2 companies" in after
    assert 'data-state="error"' not in after
    with alpha.active():
        # the preview created nothing
        assert not Company.objects.filter(name__iexact="UX Import SRL").exists()


def test_the_count_is_taken_once_when_the_mapping_is_saved_and_the_preview_never_reads_the_file(
    alpha: TenantFixture, monkeypatch
):
    with alpha.active():
        CompanyFactory(name="Known Ltd", owner=alpha.user())
        job = _job(alpha)
        assert job.missing_company_count == 2
    client = alpha.client()

    def unread(job):
        raise AssertionError("the preview read the whole file")

    monkeypatch.setattr(processing, "data_rows", unread)
    pages = [client.get(f"/imports/{job.pk}/preview/").content.decode() for _ in range(2)]

    assert all("The file names 2 companies that do not exist yet" in page for page in pages)


def test_a_job_without_a_stored_count_counts_once_and_keeps_it(alpha: TenantFixture):
    with alpha.active():
        job = _job(alpha)
        ImportJob.objects.filter(pk=job.pk).update(missing_company_count=None)

    page = alpha.client().get(f"/imports/{job.pk}/preview/").content.decode()

    assert "The file names 3 companies that do not exist yet" in page
    with alpha.active():
        job.refresh_from_db()
        assert job.missing_company_count == 3


def test_the_import_creates_each_missing_company_once_and_undo_removes_them(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        known = CompanyFactory(name="Known Ltd", owner=admin)
        job = set_create_missing_companies(_job(alpha), create=True)
        job = imported(job)

        created = Company.objects.filter(name__in=["UX Import SRL", "Other New GmbH"])
        assert job.status == ImportStatus.DONE
        assert job.failed_count == 0
        assert created.count() == 2
        assert Contact.objects.filter(company__name="UX Import SRL").count() == 2
        assert {company.owner_id for company in created} == {admin.pk}

        undone = undo_import(job, by=admin)

        assert undone.status == ImportStatus.UNDONE
        assert not Company.objects.filter(name__in=["UX Import SRL", "Other New GmbH"]).exists()
        assert Company.objects.filter(pk=known.pk).exists()


def test_undo_keeps_a_created_company_someone_has_since_used(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        job = imported(set_create_missing_companies(_job(alpha), create=True))
        company = Company.objects.get(name="Other New GmbH")
        ContactFactory(first_name="Later", last_name="Added", company=company, owner=admin)

        undone = undo_import(job, by=admin)

        assert Company.objects.filter(pk=company.pk).exists()
        assert not Company.objects.filter(name="UX Import SRL").exists()
        assert undone.undo_kept == 1


def test_the_choice_is_refused_for_another_tenants_job_and_a_started_one(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        job = _job(alpha)

    from_beta = beta.client().post(f"/imports/{job.pk}/missing-companies/", {"create": "1"})
    as_rep_without_import = alpha.client(email=REP_EMAIL).post(f"/imports/{job.pk}/missing-companies/", {"create": "1"})

    assert from_beta.status_code == 404
    assert as_rep_without_import.status_code in (403, 404)
    with alpha.active():
        job.refresh_from_db()
        assert job.create_missing_companies is False
        imported(job)
    late = alpha.client().post(f"/imports/{job.pk}/missing-companies/", {"create": "1"})
    assert late.status_code == 302
    with alpha.active():
        job.refresh_from_db()
        assert job.create_missing_companies is False
