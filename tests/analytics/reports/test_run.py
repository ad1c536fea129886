"""Running reports: every figure against the hand-built deals of ``conftest.World``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from identity.models import User
from modules.analytics.reports.execution import run_report
from modules.analytics.reports.selectors import access_for, checked
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture


def run(user: User, definition: dict[str, Any], source: str = "deals") -> list[tuple[tuple[str, ...], tuple[Any, ...]]]:
    found, _fields, spec = checked(source, definition, access_for(user))
    return [(row.labels, row.values) for row in run_report(found, spec, user).rows]


def test_count_sum_and_average_per_owner_in_the_base_currency(alpha: TenantFixture, world: World):
    definition = {
        "group_by": [{"field": "owner"}],
        "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}, {"fn": "avg", "field": "amount"}],
    }
    with alpha.active():
        rows = run(world.admin, definition)

    assert rows == [
        (("Ana",), (3, Decimal("1680.00"), Decimal("560.00"))),
        (("Cid",), (1, Decimal("4000.00"), Decimal("4000.00"))),
        (("Mara",), (1, Decimal("300.00"), Decimal("300.00"))),
    ]


def test_month_buckets_follow_the_tenant_time_zone_across_a_month_boundary(alpha: TenantFixture, world: World):
    definition = {"group_by": [{"field": "closed_at", "bucket": "month"}], "measures": [{"fn": "count"}]}
    with alpha.active():
        rows = run(world.admin, definition)

    # A2 closed at 22:30 UTC on 31 January: 00:30 on 1 February in Bucharest.
    assert rows == [(("2025-01",), (2,)), (("2025-02",), (2,)), (("2025-03",), (1,))]


def test_two_dimensions_group_by_a_custom_select_with_its_labels(alpha: TenantFixture, world: World):
    definition = {
        "group_by": [{"field": "custom.region"}, {"field": "owner"}],
        "measures": [{"fn": "sum", "field": "amount"}],
    }
    with alpha.active():
        rows = run(world.admin, definition)

    assert rows == [
        (("North", "Ana"), (Decimal("1500.00"),)),
        (("South", "Ana"), (Decimal("180.00"),)),
        (("South", "Cid"), (Decimal("4000.00"),)),
        (("(empty)", "Mara"), (Decimal("300.00"),)),
    ]


def test_the_same_report_counts_what_each_runner_may_see(alpha: TenantFixture, world: World):
    definition = {"measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}
    with alpha.active():
        ana = User.objects.select_related("role").get(pk=world.ana.pk)
        mara = User.objects.select_related("role").get(pk=world.mara.pk)

        assert run(ana, definition) == [((), (3, Decimal("1680.00")))]
        assert run(mara, definition) == [((), (4, Decimal("1980.00")))]
        assert run(world.admin, definition) == [((), (5, Decimal("5980.00")))]


def test_filters_narrow_the_groups(alpha: TenantFixture, world: World):
    definition = {
        "filters": [
            {"field": "amount", "op": "gte", "value": "300"},
            {"field": "closed_at", "op": "lt", "value": "2025-02-01"},
        ],
        "measures": [{"fn": "count"}, {"fn": "min", "field": "amount"}, {"fn": "max", "field": "amount"}],
    }
    with alpha.active():
        rows = run(world.admin, definition)

    # A1 (Jan 31 local), A2 (Feb 1 local: out), C1: A1 and C1.
    assert rows == [((), (2, Decimal("1000.00"), Decimal("4000.00")))]


def test_a_field_one_link_away_is_empty_where_the_linked_record_is_hidden(alpha: TenantFixture, world: World):
    definition = {"group_by": [{"field": "company.industry"}], "measures": [{"fn": "count"}]}
    with alpha.active():
        mara = User.objects.select_related("role").get(pk=world.mara.pk)
        assert run(world.admin, definition) == [(("Retail",), (3,)), (("(empty)",), (2,))]
        assert run(mara, definition) == [(("Retail",), (3,)), (("(empty)",), (1,))]


@pytest.mark.parametrize(
    ("definition", "key"),
    [
        ({"group_by": [{"field": "nope"}]}, "group_by.0.field"),
        ({"measures": [{"fn": "sum", "field": "name"}]}, "measures.0.fn"),
        ({"measures": [{"fn": "median", "field": "amount"}]}, "measures.0.fn"),
        ({"group_by": [{"field": "closed_at", "bucket": "fortnight"}]}, "group_by.0.bucket"),
        (
            {"filters": [{"field": "amount", "op": "contains", "value": "1"}], "measures": [{"fn": "count"}]},
            "filters.0.op",
        ),
        (
            {"filters": [{"field": "amount", "op": "gt", "value": "lots"}], "measures": [{"fn": "count"}]},
            "filters.0.value",
        ),
        (
            {"filters": [{"field": "name", "op": "eq", "value": "a\x00b"}], "measures": [{"fn": "count"}]},
            "filters.0.value",
        ),
        ({"group_by": [{"field": "a"}, {"field": "b"}, {"field": "c"}]}, "group_by"),
        ({"sort": {"by": "measures.3"}, "measures": [{"fn": "count"}]}, "sort.by"),
        ({}, "measures"),
    ],
)
def test_a_bad_definition_is_refused_naming_the_part(alpha: TenantFixture, world: World, definition, key):
    with alpha.active(), pytest.raises(ValidationError) as refused:
        checked("deals", definition, access_for(world.admin))

    assert key in refused.value.message_dict


def test_a_source_of_a_module_the_role_cannot_view_is_refused(alpha: TenantFixture, world: World):
    with alpha.active():
        marketer = User.objects.get(pk=world.ana.pk)
        marketer.role.permissions = ["contacts.view", "analytics.view"]
        with pytest.raises(ValidationError) as refused:
            checked("deals", {"measures": [{"fn": "count"}]}, access_for(marketer))

    assert "source" in refused.value.message_dict
