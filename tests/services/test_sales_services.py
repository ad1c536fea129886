"""Lead conversion and deal stage moves, through the services every surface calls."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.choices import DealStatus, LeadStatus, StageKind
from modules.sales.models import Deal, DealStageChange, Lead, LostReason, Stage
from modules.sales.services.deals import create_deal, mark_won, move_deal_to_stage, update_deal
from modules.sales.services.leads import convert_lead, create_lead, update_lead
from modules.sales.services.pipelines import default_pipeline
from tests.factories import ActivityFactory, CompanyFactory, DealFactory
from tests.tenancy import TenantFixture


def _stage(name: str) -> Stage:
    pipeline = default_pipeline()
    assert pipeline is not None
    return pipeline.stages.get(name=name)


def test_a_new_tenant_has_a_default_pipeline_with_ordered_stages_and_lost_reasons(alpha: TenantFixture) -> None:
    with alpha.active():
        pipeline = default_pipeline()

        assert pipeline is not None
        assert pipeline.is_default
        assert [(s.name, s.kind, s.probability) for s in pipeline.stages.order_by("position")] == [
            ("Qualification", StageKind.OPEN, 10),
            ("Needs analysis", StageKind.OPEN, 25),
            ("Proposal", StageKind.OPEN, 50),
            ("Negotiation", StageKind.OPEN, 75),
            ("Won", StageKind.WON, 100),
            ("Lost", StageKind.LOST, 0),
        ]
        assert LostReason.objects.count() == 5


def test_converting_a_lead_creates_company_contact_and_deal_in_one_go(alpha: TenantFixture) -> None:
    with alpha.active():
        rep = alpha.user("rep@example.test")
        lead = create_lead(
            by=rep, first_name="Ioana", last_name="Popescu", company_name="Carpați Logistics",
            email="ioana@carpati.example", estimated_value=Decimal("12000"), currency="RON",
        )  # fmt: skip
        call = ActivityFactory(lead=lead, subject="Intro call", assignee=rep)

        conversion = convert_lead(lead, by=rep, deal_name="Carpați fleet tracking")

        lead.refresh_from_db()
        assert lead.status == LeadStatus.CONVERTED
        assert conversion.company is not None
        assert conversion.company.name == "Carpați Logistics"
        assert conversion.contact.full_name == "Ioana Popescu"
        assert conversion.contact.company == conversion.company
        deal = conversion.deal
        assert deal is not None
        assert (deal.name, deal.amount, deal.currency, deal.owner, deal.lead) == (
            "Carpați fleet tracking", Decimal("12000.00"), "RON", rep, lead,
        )  # fmt: skip
        assert deal.stage.name == "Qualification"
        assert (lead.converted_company, lead.converted_contact, lead.converted_deal) == (
            conversion.company, conversion.contact, deal,
        )  # fmt: skip
        call.refresh_from_db()
        assert (call.company, call.contact, call.deal) == (conversion.company, conversion.contact, deal)
        assert TimelineEntry.objects.filter(kind=TimelineKind.LEAD_CONVERTED, lead=lead, deal=deal).count() == 1


def test_a_conversion_that_fails_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        lead = create_lead(by=None, first_name="Jan", last_name="Kowalski", company_name="Wisła Foods")
        counts = (Company.objects.count(), Contact.objects.count(), Deal.objects.count())
        # The second stage requires nothing, but an amount below zero is refused by the deal's validation.
        with pytest.raises(ValidationError) as error:
            convert_lead(lead, by=None, amount=Decimal("-5"))

        assert "amount" in error.value.message_dict
        assert (Company.objects.count(), Contact.objects.count(), Deal.objects.count()) == counts
        lead.refresh_from_db()
        assert lead.status == LeadStatus.NEW


def test_a_converted_lead_cannot_be_converted_again_or_edited(alpha: TenantFixture) -> None:
    with alpha.active():
        lead = create_lead(by=None, first_name="Marie", last_name="Dubois", company_name="Loire Vins")
        convert_lead(lead, by=None)
        deals = Deal.objects.count()

        with pytest.raises(ValidationError) as again:
            convert_lead(lead, by=None)
        with pytest.raises(ValidationError) as edit:
            update_lead(lead, by=None, job_title="CEO")

        assert "status" in again.value.message_dict
        assert "status" in edit.value.message_dict
        assert Deal.objects.count() == deals


def test_a_lead_needs_a_name_and_bad_input_is_named(alpha: TenantFixture) -> None:
    with alpha.active():
        before = Lead.objects.count()
        with pytest.raises(ValidationError) as nameless:
            create_lead(by=None, email="someone@example.test")
        with pytest.raises(ValidationError) as bad_email:
            create_lead(by=None, last_name="Petrović", email="not-an-address")

        assert "last_name" in nameless.value.message_dict
        assert "email" in bad_email.value.message_dict
        assert Lead.objects.count() == before


def test_moving_a_deal_uses_the_stage_probability_unless_overridden_and_records_history(
    alpha: TenantFixture,
) -> None:
    with alpha.active():
        admin = alpha.user()
        deal = create_deal(by=admin, name="Fleet", amount=Decimal("1000"), company=CompanyFactory())
        assert deal.effective_probability == 10

        move_deal_to_stage(deal, _stage("Proposal"), by=admin)
        deal.refresh_from_db()
        assert (deal.stage.name, deal.effective_probability, deal.weighted_amount) == (
            "Proposal", 50, Decimal("500.00"),
        )  # fmt: skip

        update_deal(deal, by=admin, probability=65)
        deal.refresh_from_db()
        assert deal.effective_probability == 65
        assert list(DealStageChange.objects.filter(deal=deal).values_list("to_stage__name", flat=True)) == [
            "Proposal", "Qualification",
        ]  # fmt: skip
        assert TimelineEntry.objects.filter(deal=deal, kind=TimelineKind.STAGE_CHANGED).get().data == {
            "from_stage": "Qualification", "to_stage": "Proposal", "probability": 50,
        }  # fmt: skip


def test_a_stage_refuses_a_deal_missing_its_required_fields_and_nothing_changes(alpha: TenantFixture) -> None:
    with alpha.active():
        deal = DealFactory(amount=Decimal("0"), company=None)
        history = DealStageChange.objects.filter(deal=deal).count()

        with pytest.raises(ValidationError) as error:
            move_deal_to_stage(deal, _stage("Proposal"), by=None)

        assert set(error.value.message_dict) == {"amount", "company"}
        assert "Proposal" in error.value.message_dict["amount"][0]
        deal.refresh_from_db()
        assert deal.stage.name == "Qualification"
        assert DealStageChange.objects.filter(deal=deal).count() == history


def test_required_fields_given_with_the_move_are_saved_with_it(alpha: TenantFixture) -> None:
    with alpha.active():
        company = CompanyFactory()
        deal = DealFactory(amount=Decimal("0"), company=None)

        move_deal_to_stage(deal, _stage("Proposal"), by=None, amount=Decimal("2500"), company=company)

        deal.refresh_from_db()
        assert (deal.stage.name, deal.amount, deal.company) == ("Proposal", Decimal("2500.00"), company)


def test_won_and_lost_close_the_deal_and_lost_needs_a_reason(alpha: TenantFixture) -> None:
    with alpha.active():
        deal = DealFactory(amount=Decimal("800"))
        lost = _stage("Lost")

        with pytest.raises(ValidationError) as no_reason:
            move_deal_to_stage(deal, lost, by=None)
        assert "lost_reason" in no_reason.value.message_dict

        reason = LostReason.objects.get(name="Price")
        move_deal_to_stage(deal, lost, by=None, lost_reason=reason, lost_note="Too dear")
        deal.refresh_from_db()
        assert (deal.status, deal.effective_probability, deal.lost_reason, deal.lost_note) == (
            DealStatus.LOST, 0, reason, "Too dear",
        )  # fmt: skip
        assert deal.closed_at is not None

        mark_won(deal, by=None)
        deal.refresh_from_db()
        assert (deal.status, deal.lost_reason, deal.effective_probability) == (DealStatus.WON, None, 100)
        assert TimelineEntry.objects.filter(deal=deal, kind=TimelineKind.DEAL_WON).count() == 1


def test_a_stage_of_another_pipeline_is_refused_on_create(alpha: TenantFixture) -> None:
    from modules.sales.models import Pipeline

    with alpha.active():
        other = Pipeline.objects.create(name="Renewals")
        stage = Stage.objects.create(pipeline=other, name="Due", position=0, probability=40)

        with pytest.raises(ValidationError) as error:
            create_deal(by=None, name="Mismatch", pipeline=default_pipeline(), stage=stage)

        assert "stage" in error.value.message_dict
        assert not Deal.objects.filter(name="Mismatch").exists()


def test_activities_on_a_deal_refresh_its_rotting_clock(alpha: TenantFixture) -> None:
    from modules.activities.services.activities import create_activity

    with alpha.active():
        deal = DealFactory(company=CompanyFactory())
        create_activity(by=None, kind="call", subject="Check-in", deal=deal, status="done")

        deal.refresh_from_db()
        activity = Activity.objects.get(deal=deal)
        assert deal.last_activity_at is not None
        assert activity.company == deal.company  # shown on the company's timeline too
