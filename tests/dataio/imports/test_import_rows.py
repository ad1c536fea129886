"""Importing rows: validation per row and column (standard fields, custom fields, relations),
dedupe modes, relations by name and e-mail, and the records' history and events."""

from __future__ import annotations

from decimal import Decimal

from customization.events.models import DomainEvent
from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.dataio.imports.choices import DedupeRule, ImportEntity, ImportStatus, RecordAction
from modules.dataio.imports.models import ImportedRecord
from modules.dataio.imports.processing import preview
from modules.sales.models import Deal, DealStageChange, Lead, Stage
from modules.sales.services.pipelines import default_pipeline
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.factories import CompanyFactory, ContactFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture

HEADER = ["First name", "Last name", "E-mail", "Company", "Owner", "Territory", "Score", "Tags"]


def _region_and_score() -> None:
    CustomFieldDefinition.objects.create(
        entity=Entity.CONTACT, key="territory", label="Territory", field_type=FieldType.SINGLE_SELECT,
        options=[{"value": "north", "label": "North"}, {"value": "south", "label": "South"}],
    )  # fmt: skip
    CustomFieldDefinition.objects.create(entity=Entity.CONTACT, key="score", label="Score", field_type=FieldType.NUMBER)


def test_valid_rows_are_imported_and_bad_ones_reported_by_column(alpha: TenantFixture) -> None:
    with alpha.active():
        _region_and_score()
        acme = CompanyFactory(name="Acme")
        rows = [
            HEADER,
            ["Ana", "Pop", "ana@example.test", "acme", REP_EMAIL, "north", "7", "vip; new"],
            ["Ion", "", "not-an-email", "", "", "west", "many", ""],
            ["", "", "nobody@example.test", "Initech", "ghost@example.test", "", "", ""],
            ["Eva", "Lungu", "eva@example.test", "", "", "South", "", "vip"],
        ]
        job = uploaded_job(ImportEntity.CONTACT, csv_bytes(rows), by=alpha.user())

        job = imported(job)

        contacts = {
            c.email: c
            for c in Contact.objects.select_related("owner").filter(email__in=["ana@example.test", "eva@example.test"])
        }
        errors = {e.row_number: e.errors for e in job.row_errors.all()}
        ana = contacts["ana@example.test"]
        ana_tags = sorted(tag.name for tag in ana.tags.all())
    assert (job.status, job.created_count, job.failed_count, job.total_rows) == (ImportStatus.DONE, 2, 2, 4)
    assert (ana.full_name, ana.company_id, ana.owner.email, ana.custom) == (
        "Ana Pop", acme.pk, REP_EMAIL, {"territory": "north", "score": 7},
    )  # fmt: skip
    assert ana_tags == ["new", "vip"]
    assert contacts["eva@example.test"].owner_id == job.created_by_id  # the importing user, as create_contact does
    assert errors == {
        3: {
            "email": ["Enter a valid email address."],
            "custom.territory": ["Choose one of: north, south."],
            "custom.score": ["Enter a whole number."],
        },
        4: {
            "last_name": ["A contact needs a first or a last name."],
            "company": ["No company is called “Initech”."],
            "owner": ["No active user has the e-mail ghost@example.test."],
        },
    }


def test_created_records_get_their_timeline_entry_and_one_event_each(alpha: TenantFixture) -> None:
    with alpha.active():
        first_event = DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        rows = [["Name", "Website"], ["Acme", "https://acme.example"], ["Globex", "https://globex.example"]]
        job = imported(uploaded_job(ImportEntity.COMPANY, csv_bytes(rows), by=alpha.user(), name="c.csv"))

        ids = set(ImportedRecord.objects.filter(job=job).values_list("record_id", flat=True))
        events = set(DomainEvent.objects.filter(pk__gt=first_event).values_list("type", "record_id"))
        entries = set(TimelineEntry.objects.filter(company__in=ids).values_list("kind", "company_id"))
    assert len(ids) == 2
    assert events == {("company.created", pk) for pk in ids}
    assert entries == {(TimelineKind.CREATED, pk) for pk in ids}


def test_skip_mode_leaves_matching_records_and_repeated_rows_alone(alpha: TenantFixture) -> None:
    with alpha.active():
        existing = ContactFactory(first_name="Old", last_name="Name", email="ana@example.test")
        rows = [
            ["First name", "Last name", "E-mail"],
            ["Ana", "New", "ANA@example.test"],
            ["Ion", "Pop", "ion@example.test"],
            ["Ion", "Again", "ion@example.test"],
        ]
        job = imported(uploaded_job("contact", csv_bytes(rows), by=alpha.user(), dedupe=DedupeRule.SKIP))

        existing.refresh_from_db()
        ions = Contact.objects.filter(email="ion@example.test").count()
    assert (job.created_count, job.skipped_count, job.updated_count, job.failed_count) == (1, 2, 0, 0)
    assert (existing.full_name, ions) == ("Old Name", 1)


def test_update_mode_changes_only_the_mapped_non_empty_cells(alpha: TenantFixture) -> None:
    with alpha.active():
        _region_and_score()
        existing = ContactFactory(
            first_name="Ana", last_name="Old", email="ana@example.test", job_title="Clerk", custom={"score": 1}
        )
        rows = [
            ["E-mail", "Last name", "Job title", "Score"],
            ["ana@example.test", "Pop", "", "9"],
            ["new@example.test", "Nou", "CEO", ""],
        ]
        job = imported(uploaded_job("contact", csv_bytes(rows), by=alpha.user(), dedupe=DedupeRule.UPDATE))

        existing.refresh_from_db()
        link = ImportedRecord.objects.get(job=job, action=RecordAction.UPDATED)
        change = TimelineEntry.objects.get(contact=existing, kind=TimelineKind.UPDATED)
    assert (job.created_count, job.updated_count) == (1, 1)
    assert (existing.last_name, existing.full_name, existing.job_title, existing.custom) == (
        "Pop", "Ana Pop", "Clerk", {"score": 9},
    )  # fmt: skip
    assert link.record_id == existing.pk
    assert link.previous == {"last_name": "Old", "custom": {"score": 1}}
    assert [c["field"] for c in change.data["changes"]] == ["last_name", "custom.score"]


def test_companies_match_by_name_or_web_domain(alpha: TenantFixture) -> None:
    with alpha.active():
        by_name = CompanyFactory(name="Acme", website="")
        by_domain = CompanyFactory(name="Globex Corporation", website="https://www.globex.example/about")
        rows = [
            ["Name", "Website", "Industry"],
            ["ACME", "", "Anvils"],
            ["Globex", "http://globex.example", "Energy"],
            ["Initech", "https://initech.example", "Software"],
        ]
        job = imported(uploaded_job("company", csv_bytes(rows), by=alpha.user(), dedupe=DedupeRule.UPDATE))

        updated = dict(Company.objects.filter(pk__in=[by_name.pk, by_domain.pk]).values_list("pk", "industry"))
    assert (job.created_count, job.updated_count) == (1, 2)
    assert updated == {by_name.pk: "Anvils", by_domain.pk: "Energy"}


def test_leads_import_and_a_converted_lead_is_not_updated(alpha: TenantFixture) -> None:
    with alpha.active():
        LeadFactory(email="done@example.test", status="converted")
        rows = [
            ["First name", "Company", "E-mail", "Status", "Value"],
            ["Ana", "Acme", "ana@example.test", "Contacted", "1200.50"],
            ["Ion", "Initech", "done@example.test", "", ""],
            ["Eva", "", "eva@example.test", "converted", "a lot"],
        ]
        job = imported(uploaded_job("lead", csv_bytes(rows), by=alpha.user(), name="l.csv", dedupe=DedupeRule.UPDATE))

        lead = Lead.objects.get(email="ana@example.test")
        errors = {e.row_number: e.errors for e in job.row_errors.all()}
    assert (lead.status, lead.estimated_value, lead.company_name) == ("contacted", Decimal("1200.50"), "Acme")
    assert errors == {
        3: {"status": ["A converted lead cannot be changed."]},
        4: {
            "status": ["A lead becomes converted by converting it."],
            "estimated_value": ["“a lot” value must be a decimal number."],
        },
    }


def test_deals_find_their_stage_company_and_contact(alpha: TenantFixture) -> None:
    with alpha.active():
        pipeline = default_pipeline()
        assert pipeline is not None
        stage = Stage.objects.filter(pipeline=pipeline, kind="open").order_by("-position").first()
        assert stage is not None
        stage.required_fields = []
        stage.save()
        company = CompanyFactory(name="Acme")
        contact = ContactFactory(email="ana@example.test")
        rows = [
            ["Deal name", "Amount", "Stage", "Company", "Contact e-mail", "Expected close date"],
            ["Anvils", "5000", stage.name, "Acme", "ANA@example.test", "2031-01-31"],
            ["Rockets", "-1", "No such stage", "Acme", "nobody@example.test", "31/01/2031"],
        ]
        job = imported(uploaded_job("deal", csv_bytes(rows), by=alpha.user(), name="d.csv"))

        deal = Deal.objects.get(name="Anvils")
        history = list(DealStageChange.objects.filter(deal=deal).values_list("from_stage", "to_stage"))
        errors = job.row_errors.get().errors
    assert (deal.stage_id, deal.pipeline_id, deal.company_id, deal.contact_id) == (
        stage.pk, pipeline.pk, company.pk, contact.pk,
    )  # fmt: skip
    assert (deal.amount, deal.currency, history) == (Decimal("5000"), "EUR", [(None, stage.pk)])
    assert errors == {
        "amount": ["Ensure this value is greater than or equal to 0."],
        "expected_close_date": ["“31/01/2031” value has an invalid date format. It must be in YYYY-MM-DD format."],
        "stage": ["No stage is called “No such stage” in this pipeline."],
        "contact": ["No contact has the e-mail nobody@example.test."],
    }


def test_the_preview_shows_what_would_happen_and_keeps_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        ContactFactory(email="ana@example.test")
        rows = [["First name", "E-mail", "Tags"], ["Ana", "ana@example.test", "brand-new-tag"], ["Ion", "bad", ""]]
        job = uploaded_job("contact", csv_bytes(rows), by=alpha.user(), dedupe=DedupeRule.SKIP)
        contacts_before = Contact.objects.count()

        shown, outcome = preview(job, alpha.user())

        from modules.contacts.models import Tag

        assert not Tag.objects.filter(name="brand-new-tag").exists()
        assert Contact.objects.count() == contacts_before
    assert [number for number, _cells in shown] == [2, 3]
    assert (outcome.skipped, set(outcome.errors)) == ({2}, {3})
