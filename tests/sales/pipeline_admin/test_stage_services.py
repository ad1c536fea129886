"""Stage services: add, edit, reorder and delete (moving deals with their history)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customization.events.models import DomainEvent
from customization.fields.models import CustomFieldDefinition
from customization.fields.services import create_definition
from modules.sales.choices import STAGE_REQUIRABLE_FIELDS
from modules.sales.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from modules.sales.services.deals import missing_required_fields
from modules.sales.services.pipeline_admin import (
    add_stage,
    delete_stage,
    reorder_stages,
    required_field_choices,
    update_stage,
)
from tests.factories import CompanyFactory, DealFactory
from tests.sales.pipeline_admin.conftest import stage_names, stage_of
from tests.tenancy import TenantFixture

SEEDED = ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost"]


def test_stages_may_require_the_deal_fields_the_sales_rules_check_and_deal_custom_fields(alpha: TenantFixture):
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="po_number", label="PO number", field_type="text")
        CustomFieldDefinition.objects.create(entity="contact", key="shoe_size", label="Shoe", field_type="number")

        choices = required_field_choices()

        assert [name for name, _label in choices] == [*STAGE_REQUIRABLE_FIELDS, "custom.po_number"]
        assert choices[-1] == ("custom.po_number", "PO number")


def test_an_open_stage_is_added_before_the_won_and_lost_stages(alpha: TenantFixture, sales: Pipeline):
    with alpha.active():
        stage = add_stage(
            sales, name="Demo", probability=40, required_fields=["contact", "amount", "contact"], rotting_days=7
        )

        assert stage_names(sales) == [*SEEDED[:4], "Demo", "Won", "Lost"]
        saved = Stage.objects.get(pk=stage.pk)
        assert (saved.kind, saved.probability, saved.required_fields, saved.rotting_days) == (
            "open", 40, ["contact", "amount"], 7
        )  # fmt: skip


def test_a_closed_stage_is_added_at_the_end_with_its_kinds_probability(alpha: TenantFixture, sales: Pipeline):
    with alpha.active():
        stage = add_stage(sales, name="Won via partner", kind="won")

        assert stage_names(sales) == [*SEEDED, "Won via partner"]
        assert Stage.objects.get(pk=stage.pk).probability == 100


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "proposal"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"probability": 101}, "probability"),
        ({"probability": -1}, "probability"),
        ({"probability": "ten"}, "probability"),
        ({"kind": "maybe"}, "kind"),
        ({"required_fields": ["owner"]}, "required_fields"),
        ({"required_fields": "amount"}, "required_fields"),
        ({"required_fields": [3]}, "required_fields"),
        ({"rotting_days": 0}, "rotting_days"),
        ({"rotting_days": -3}, "rotting_days"),
    ],
)
def test_bad_stage_input_names_the_field_and_adds_nothing(
    alpha: TenantFixture, sales: Pipeline, values: dict[str, Any], field: str
):
    with alpha.active():
        positions = list(sales.stages.order_by("pk").values_list("pk", "position"))

        with pytest.raises(ValidationError) as refused:
            add_stage(sales, **{"name": "Demo", **values})

        assert list(refused.value.message_dict) == [field]
        assert list(sales.stages.order_by("pk").values_list("pk", "position")) == positions


def test_editing_a_stage(alpha: TenantFixture, stages: dict[str, Stage]):
    with alpha.active():
        update_stage(
            stages["Proposal"], name="Offer", probability=55, required_fields=["expected_close_date"], rotting_days=None
        )

        saved = Stage.objects.get(pk=stages["Proposal"].pk)
        assert (saved.name, saved.probability, saved.required_fields, saved.rotting_days) == (
            "Offer", 55, ["expected_close_date"], None
        )  # fmt: skip


def test_a_deal_entering_an_edited_stage_needs_its_new_required_fields(alpha: TenantFixture, stages):
    with alpha.active():
        update_stage(stages["Needs analysis"], required_fields=["company"])
        deal = DealFactory(stage=stages["Qualification"])

        assert list(missing_required_fields(deal, Stage.objects.get(pk=stages["Needs analysis"].pk))) == ["company"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "Won"}, "name"),
        ({"probability": 250}, "probability"),
        ({"required_fields": ["amount", "owner"]}, "required_fields"),
        ({"position": 0}, "position"),
        ({"pipeline": None}, "pipeline"),
    ],
)
def test_bad_edits_name_the_field_and_change_nothing(
    alpha: TenantFixture, stages: dict[str, Stage], values: dict[str, Any], field: str
):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            update_stage(stages["Proposal"], **values)

        assert list(refused.value.message_dict) == [field]
        saved = Stage.objects.get(pk=stages["Proposal"].pk)
        assert (saved.name, saved.probability, saved.required_fields, saved.position) == (
            "Proposal", 50, ["amount", "company"], 2
        )  # fmt: skip


def test_the_kind_of_a_stage_with_deals_stays(alpha: TenantFixture, stages: dict[str, Stage]):
    with alpha.active():
        DealFactory(stage=stages["Proposal"], company=CompanyFactory())

        with pytest.raises(ValidationError) as refused:
            update_stage(stages["Proposal"], kind="won")

        assert list(refused.value.message_dict) == ["kind"]
        assert Stage.objects.get(pk=stages["Proposal"].pk).kind == "open"


def test_the_last_open_stage_keeps_its_kind(alpha: TenantFixture, renewals: Pipeline):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            update_stage(stage_of(renewals, "New"), kind="lost")

        assert list(refused.value.message_dict) == ["kind"]
        assert stage_of(renewals, "New").kind == "open"


def test_reordering_stages(alpha: TenantFixture, sales: Pipeline, stages: dict[str, Stage]):
    order = ["Won", "Qualification", "Proposal", "Needs analysis", "Negotiation", "Lost"]
    with alpha.active():
        reorder_stages(sales, order=[stages[name].pk for name in order])

        assert stage_names(sales) == order


def test_an_order_with_another_pipelines_stage_is_refused(alpha: TenantFixture, sales, stages, renewals):
    with alpha.active():
        order = [stages[name].pk for name in SEEDED[:-1]] + [stage_of(renewals, "Lost").pk]

        with pytest.raises(ValidationError) as refused:
            reorder_stages(sales, order=order)

        assert list(refused.value.message_dict) == ["order"]
        assert stage_names(sales) == SEEDED


def test_deleting_an_empty_stage(alpha: TenantFixture, sales: Pipeline, stages: dict[str, Stage]):
    with alpha.active():
        assert delete_stage(stages["Needs analysis"], by=None) == 0

        assert stage_names(sales) == ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]


def test_deleting_a_stage_moves_its_deals_to_another_pipeline_with_history_in_fixed_queries(
    alpha: TenantFixture, stages: dict[str, Stage], renewals: Pipeline, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        target = stage_of(renewals, "New")
        long_ago = timezone.now() - timedelta(days=40)
        deals = [DealFactory(stage=stages["Negotiation"], stage_entered_at=long_ago) for _ in range(25)]
        bystander = DealFactory(stage=stages["Proposal"], company=CompanyFactory())

        # fixed: one read, one history insert, one event insert, one update, one audit entry
        with django_assert_max_num_queries(16):
            moved = delete_stage(stages["Negotiation"], target_stage=target, by=admin)

        assert moved == 25
        assert not Stage.objects.filter(pk=stages["Negotiation"].pk).exists()
        rows = Deal.objects.filter(pk__in=[deal.pk for deal in deals])
        assert set(rows.values_list("stage_id", "pipeline_id", "status")) == {(target.pk, renewals.pk, "open")}
        assert all(deal.stage_entered_at > long_ago for deal in rows)
        history = DealStageChange.objects.filter(to_stage=target)
        assert sorted(history.values_list("deal_id", flat=True)) == sorted(deal.pk for deal in deals)
        assert {(row.from_stage_id, row.changed_by_id) for row in history} == {(None, admin.pk)}
        assert Deal.objects.get(pk=bystander.pk).stage_id == stages["Proposal"].pk
        events = DomainEvent.objects.filter(type="deal.stage_changed")
        assert sorted(events.values_list("record_id", flat=True)) == sorted(deal.pk for deal in deals)
        assert {(e.data["from_stage"], e.data["to_stage_id"], e.actor_id) for e in events} == {
            ("Negotiation", target.pk, admin.pk)
        }


def test_won_deals_moving_to_another_won_stage_keep_their_closing(alpha: TenantFixture, sales, stages):
    closed = timezone.now() - timedelta(days=3)
    with alpha.active():
        other_won = add_stage(sales, name="Won (renewed)", kind="won")
        deal = DealFactory(stage=stages["Won"], status="won", closed_at=closed)

        delete_stage(stages["Won"], target_stage=other_won, by=None)

        saved = Deal.objects.get(pk=deal.pk)
        assert (saved.stage_id, saved.status, saved.closed_at) == (other_won.pk, "won", closed)


def test_lost_deals_moving_to_another_lost_stage_keep_their_reason(alpha: TenantFixture, sales, stages):
    with alpha.active():
        other_lost = add_stage(sales, name="Lost to a competitor", kind="lost")
        reason = LostReason.objects.first()
        deal = DealFactory(stage=stages["Lost"], status="lost", closed_at=timezone.now(), lost_reason=reason)

        delete_stage(stages["Lost"], target_stage=other_lost, by=None)

        saved = Deal.objects.get(pk=deal.pk)
        assert (saved.stage_id, saved.status, saved.lost_reason) == (other_lost.pk, "lost", reason)


def test_a_stage_with_deals_needs_a_target(alpha: TenantFixture, stages: dict[str, Stage]):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"])

        with pytest.raises(ValidationError) as refused:
            delete_stage(stages["Qualification"], by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Deal.objects.get(pk=deal.pk).stage_id == stages["Qualification"].pk
        assert Stage.objects.filter(pk=stages["Qualification"].pk).exists()


@pytest.mark.parametrize("target_name", ["Won", "Qualification", "Proposal"])
def test_deals_only_go_to_another_stage_of_their_kind_that_they_qualify_for(
    alpha: TenantFixture, stages: dict[str, Stage], target_name: str
):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"], amount=Decimal("0"))  # Proposal requires amount, company

        with pytest.raises(ValidationError) as refused:
            delete_stage(stages["Qualification"], target_stage=stages[target_name], by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Deal.objects.get(pk=deal.pk).stage_id == stages["Qualification"].pk
        assert DealStageChange.objects.filter(deal=deal).count() == 0
        assert Stage.objects.filter(pk=stages["Qualification"].pk).exists()


def test_deals_do_not_go_to_an_archived_pipeline(alpha: TenantFixture, stages: dict[str, Stage], renewals):
    with alpha.active():
        Pipeline.objects.filter(pk=renewals.pk).update(is_archived=True)
        DealFactory(stage=stages["Qualification"])

        with pytest.raises(ValidationError) as refused:
            delete_stage(stages["Qualification"], target_stage=stage_of(renewals, "New"), by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Stage.objects.filter(pk=stages["Qualification"].pk).exists()


def test_the_last_open_stage_cannot_be_deleted(alpha: TenantFixture, renewals: Pipeline):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            delete_stage(stage_of(renewals, "New"), by=None)

        assert list(refused.value.message_dict) == ["stage"]
        assert stage_names(renewals) == ["New", "Won", "Lost"]


def test_a_required_custom_field_is_checked_before_deals_move(alpha: TenantFixture, stages: dict[str, Stage]):
    with alpha.active():
        create_definition(by=None, entity="deal", key="po_number", label="PO number", field_type="text")
        Stage.objects.filter(pk=stages["Needs analysis"].pk).update(required_fields=["custom.po_number"])
        DealFactory(stage=stages["Qualification"], custom={"po_number": "PO-1"})
        lacking = [
            DealFactory(stage=stages["Qualification"], custom={}),
            DealFactory(stage=stages["Qualification"], custom={"po_number": None}),
        ]

        with pytest.raises(ValidationError) as refused:
            delete_stage(stages["Qualification"], target_stage=stages["Needs analysis"], by=None)

        assert refused.value.message_dict == {
            "target_stage": ["2 deals lack what the stage Needs analysis requires (PO number)."]
        }
        assert set(Deal.objects.filter(pk__in=[deal.pk for deal in lacking]).values_list("stage_id", flat=True)) == {
            stages["Qualification"].pk
        }
