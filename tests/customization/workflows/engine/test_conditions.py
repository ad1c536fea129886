"""Conditions: comparisons by field kind, nested all/any groups, custom fields and ``changed``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from customization.events.models import DomainEvent
from customization.fields.models import CustomFieldDefinition
from customization.workflows.engine.conditions import evaluate
from customization.workflows.models import WorkflowRun
from modules.sales.services.deals import update_deal
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import DealFactory
from tests.tenancy import TenantFixture


def _fields(alpha: TenantFixture) -> None:
    CustomFieldDefinition.objects.create(
        entity="deal", key="region", label="Region", field_type="single_select",
        options=[{"value": "eu", "label": "Europe"}, {"value": "us", "label": "Americas"}],
    )  # fmt: skip
    CustomFieldDefinition.objects.create(entity="deal", key="seats", label="Seats", field_type="number")
    CustomFieldDefinition.objects.create(
        entity="deal", key="tags", label="Tags", field_type="multi_select",
        options=[{"value": "vip", "label": "VIP"}, {"value": "new", "label": "New"}],
    )  # fmt: skip


def test_nested_all_and_any_groups_with_custom_fields(alpha: TenantFixture) -> None:
    with alpha.active():
        _fields(alpha)
        deal = DealFactory(amount=Decimal("5000"), custom={"region": "eu", "seats": 12, "tags": ["vip"]})
        conditions = {
            "match": "all",
            "conditions": [
                {"field": "amount", "op": "gte", "value": "1000"},
                {
                    "match": "any",
                    "conditions": [
                        {"field": "custom.region", "op": "eq", "value": "us"},
                        {"field": "custom.seats", "op": "gt", "value": 10},
                    ],
                },
                {"field": "custom.tags", "op": "contains", "value": "vip"},
            ],
        }

        result = evaluate(conditions, deal, "deal", None)

        assert result.matched is True
        inner = result.detail["conditions"][1]
        assert (inner["match"], inner["matched"]) == ("any", True)
        assert [item["matched"] for item in inner["conditions"]] == [False, True]
        assert result.detail["conditions"][0] == {
            "field": "amount", "op": "gte", "value": "1000", "actual": "5000", "matched": True,
        }  # fmt: skip


def test_one_failing_comparison_fails_an_all_group(alpha: TenantFixture) -> None:
    with alpha.active():
        _fields(alpha)
        deal = DealFactory(amount=Decimal("500"), custom={"region": "eu"})
        conditions = {
            "match": "all",
            "conditions": [
                {"field": "custom.region", "op": "in", "value": ["eu", "us"]},
                {"field": "amount", "op": "gt", "value": 1000},
            ],
        }

        result = evaluate(conditions, deal, "deal", None)

        assert result.matched is False
        assert [item["matched"] for item in result.detail["conditions"]] == [True, False]


def test_comparisons_by_kind(alpha: TenantFixture) -> None:
    with alpha.active():
        _fields(alpha)
        deal = DealFactory(expected_close_date=date(2026, 3, 1), description="Big Renewal", custom={})

        def check(field: str, op: str, value: object = None) -> bool:
            return evaluate({"conditions": [{"field": field, "op": op, "value": value}]}, deal, "deal", None).matched

        assert check("expected_close_date", "lt", "2026-03-02") is True
        assert check("expected_close_date", "gt", "2026-03-01") is False
        assert check("description", "contains", "renewal") is True
        assert check("description", "eq", "big renewal") is True
        assert check("custom.seats", "is_empty") is True
        assert check("custom.seats", "gt", 0) is False
        assert check("custom.seats", "ne", 3) is True
        assert check("owner", "is_not_empty") is False
        assert check("amount", "gt", "not a number") is False
        assert check("no_such_field", "eq", 1) is False
        assert evaluate({}, deal, "deal", None).matched is True


def test_changed_asks_the_triggering_event(alpha: TenantFixture) -> None:
    with alpha.active():
        _fields(alpha)
        rule = make_rule(
            trigger="record_updated",
            conditions={"match": "all", "conditions": [{"field": "custom.seats", "op": "changed"}]},
            actions=[{"type": "update_field", "field": "description", "value": "seats changed"}],
        )
        deal = DealFactory()

        update_deal(deal, by=None, name="Renamed")
        update_deal(deal, by=None, custom={"seats": 4})
        drive()

        runs = {run.event.data["changes"][0]["field"]: run for run in WorkflowRun.objects.filter(rule=rule, depth=0)}
        assert runs["name"].status == "skipped"
        assert runs["name"].message == "The conditions did not match; no action was taken."
        assert runs["custom.seats"].status == "succeeded"
        deal.refresh_from_db()
        assert deal.description == "seats changed"
        assert DomainEvent.objects.filter(type="deal.updated", record_id=deal.pk).count() == 3
