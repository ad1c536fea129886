"""Pipeline services: create, rename, default, archive (moving open deals), unarchive, reorder."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from modules.sales.models import Deal, DealStageChange, Pipeline, Stage
from modules.sales.services.pipeline_admin import (
    archive_pipeline,
    create_pipeline,
    rename_pipeline,
    reorder_pipelines,
    set_default_pipeline,
    unarchive_pipeline,
)
from tests.factories import CompanyFactory, DealFactory
from tests.sales.pipeline_admin.conftest import stage_names, stage_of
from tests.tenancy import TenantFixture


def test_a_new_pipeline_comes_last_with_an_open_a_won_and_a_lost_stage(alpha: TenantFixture, sales: Pipeline):
    with alpha.active():
        pipeline = create_pipeline(name="  Partners  ")

        assert (pipeline.name, pipeline.is_default, pipeline.position) == ("Partners", False, sales.position + 1)
        assert list(pipeline.stages.order_by("position").values_list("name", "kind", "probability")) == [
            ("New", "open", 10),
            ("Won", "won", 100),
            ("Lost", "lost", 0),
        ]


@pytest.mark.parametrize("name", ["", "   ", "Sales pipeline", "x" * 101])
def test_a_pipeline_needs_a_unique_name_of_at_most_100_characters(alpha: TenantFixture, sales: Pipeline, name: str):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            create_pipeline(name=name)

        assert list(refused.value.message_dict) == ["name"]
        assert (Pipeline.objects.count(), Stage.objects.count()) == (1, 6)


def test_renaming_a_pipeline(alpha: TenantFixture, renewals: Pipeline):
    with alpha.active():
        rename_pipeline(renewals, name="Upsell")

        assert Pipeline.objects.get(pk=renewals.pk).name == "Upsell"


def test_renaming_to_a_taken_name_is_refused(alpha: TenantFixture, renewals: Pipeline):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            rename_pipeline(renewals, name="Sales pipeline")

        assert list(refused.value.message_dict) == ["name"]
        assert Pipeline.objects.get(pk=renewals.pk).name == "Renewals"


def test_one_pipeline_is_the_default(alpha: TenantFixture, sales: Pipeline, renewals: Pipeline):
    with alpha.active():
        set_default_pipeline(renewals)

        assert list(Pipeline.objects.filter(is_default=True).values_list("name", flat=True)) == ["Renewals"]


def test_an_archived_pipeline_cannot_become_the_default(alpha: TenantFixture, sales: Pipeline, renewals: Pipeline):
    with alpha.active():
        archive_pipeline(renewals, by=None)

        with pytest.raises(ValidationError) as refused:
            set_default_pipeline(renewals)

        assert list(refused.value.message_dict) == ["pipeline"]
        assert list(Pipeline.objects.filter(is_default=True).values_list("pk", flat=True)) == [sales.pk]


def test_archiving_moves_open_deals_with_their_history_and_leaves_closed_ones(
    alpha: TenantFixture, stages: dict[str, Stage], renewals: Pipeline
):
    admin = alpha.user()
    with alpha.active():
        set_default_pipeline(renewals)
        target = stage_of(renewals, "New")
        first = DealFactory(stage=stages["Qualification"])
        second = DealFactory(stage=stages["Proposal"], probability=40)
        won = DealFactory(stage=stages["Won"], status="won")

        moved = archive_pipeline(stages["Qualification"].pipeline, target_stage=target, by=admin)

        assert moved == 2
        assert sorted(Deal.objects.filter(stage=target).values_list("pk", "pipeline_id", "status", "probability")) == [
            (first.pk, renewals.pk, "open", None),
            (second.pk, renewals.pk, "open", 40),
        ]
        assert Deal.objects.get(pk=won.pk).stage_id == stages["Won"].pk
        history = DealStageChange.objects.filter(to_stage=target).order_by("deal_id")
        assert [(row.deal_id, row.from_stage_id, row.changed_by_id) for row in history] == [
            (first.pk, stages["Qualification"].pk, admin.pk),
            (second.pk, stages["Proposal"].pk, admin.pk),
        ]
        assert Pipeline.objects.get(pk=stages["Won"].pipeline_id).is_archived is True


def test_archiving_with_open_deals_asks_where_they_go(alpha: TenantFixture, stages: dict[str, Stage], renewals):
    with alpha.active():
        set_default_pipeline(renewals)
        deal = DealFactory(stage=stages["Qualification"])

        with pytest.raises(ValidationError) as refused:
            archive_pipeline(stages["Qualification"].pipeline, by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Deal.objects.get(pk=deal.pk).stage_id == stages["Qualification"].pk
        assert Pipeline.objects.filter(is_archived=True).count() == 0


def test_archiving_the_default_makes_the_targets_pipeline_the_default(alpha: TenantFixture, sales, renewals):
    with alpha.active():
        archive_pipeline(sales, target_stage=stage_of(renewals, "New"), by=None)

        assert list(Pipeline.objects.filter(is_default=True).values_list("pk", flat=True)) == [renewals.pk]
        assert Pipeline.objects.get(pk=sales.pk).is_archived is True


def test_archiving_the_default_without_a_target_is_refused(alpha: TenantFixture, sales: Pipeline, renewals):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            archive_pipeline(sales, by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Pipeline.objects.get(pk=sales.pk).is_default is True


@pytest.mark.parametrize("target_name", ["Won", "own New"])
def test_open_deals_go_only_to_an_open_stage_of_another_pipeline(
    alpha: TenantFixture, stages: dict[str, Stage], renewals: Pipeline, target_name: str
):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"])
        target = stage_of(renewals, "Won") if target_name == "Won" else stages["Needs analysis"]

        with pytest.raises(ValidationError) as refused:
            archive_pipeline(stages["Qualification"].pipeline, target_stage=target, by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert Deal.objects.get(pk=deal.pk).stage_id == stages["Qualification"].pk
        assert DealStageChange.objects.filter(deal=deal).count() == 0


def test_deals_lacking_the_targets_required_fields_stay(alpha: TenantFixture, stages: dict[str, Stage], renewals):
    with alpha.active():
        target = stage_of(renewals, "New")
        Stage.objects.filter(pk=target.pk).update(required_fields=["company"])
        DealFactory(stage=stages["Qualification"], company=CompanyFactory())
        lacking = DealFactory(stage=stages["Qualification"], amount=Decimal("5"))

        with pytest.raises(ValidationError) as refused:
            archive_pipeline(stages["Qualification"].pipeline, target_stage=target, by=None)

        assert list(refused.value.message_dict) == ["target_stage"]
        assert "1 deal lacks" in refused.value.message_dict["target_stage"][0]
        assert Deal.objects.filter(stage=target).count() == 0
        assert Deal.objects.get(pk=lacking.pk).stage_id == stages["Qualification"].pk


def test_the_last_active_pipeline_cannot_be_archived(alpha: TenantFixture, sales: Pipeline):
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            archive_pipeline(sales, by=None)

        assert list(refused.value.message_dict) == ["pipeline"]
        assert Pipeline.objects.get(pk=sales.pk).is_archived is False


def test_unarchiving_brings_a_pipeline_back(alpha: TenantFixture, sales: Pipeline, renewals: Pipeline):
    with alpha.active():
        archive_pipeline(renewals, by=None)
        unarchive_pipeline(renewals)

        assert Pipeline.objects.get(pk=renewals.pk).is_archived is False
        assert list(Pipeline.objects.filter(is_default=True).values_list("pk", flat=True)) == [sales.pk]


def test_reordering_pipelines(alpha: TenantFixture, sales: Pipeline, renewals: Pipeline):
    with alpha.active():
        partners = create_pipeline(name="Partners")

        reorder_pipelines(order=[str(partners.pk), str(sales.pk), str(renewals.pk)])

        assert list(Pipeline.objects.values_list("name", flat=True)) == ["Partners", "Sales pipeline", "Renewals"]
        assert stage_names(partners) == ["New", "Won", "Lost"]


@pytest.mark.parametrize("order", [["SALES"], ["SALES", "SALES"], ["SALES", "RENEWALS", "999999"], ["x", "y"]])
def test_an_order_that_does_not_list_each_pipeline_once_is_refused(
    alpha: TenantFixture, sales: Pipeline, renewals: Pipeline, order: list[str]
):
    ids = {"SALES": str(sales.pk), "RENEWALS": str(renewals.pk)}
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            reorder_pipelines(order=[ids.get(value, value) for value in order])

        assert list(refused.value.message_dict) == ["order"]
        assert list(Pipeline.objects.values_list("name", flat=True)) == ["Sales pipeline", "Renewals"]
