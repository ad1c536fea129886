"""A report chart's datasets say the unit of their figures, so the page's chart gives a measure in
another unit than the first its own axis (``static/js/report-chart.js``; the browser test
``tests/browser/test_report_chart_axes.py`` checks the axes drawn)."""

from __future__ import annotations

import json

from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture


def _chart_of(alpha: TenantFixture, world: World, definition: dict) -> dict:
    with alpha.active():
        report = create_report(by=world.mara, name="Units", source="deals", definition=definition, sharing="everyone")
    body = alpha.client("mara@example.test").get(f"/analytics/reports/{report.pk}/").content.decode()
    return json.loads(body.split('id="report-chart-data" type="application/json">')[1].split("</script>")[0])


def test_a_count_and_a_sum_of_amounts_are_in_different_units(alpha: TenantFixture, world: World):
    chart = _chart_of(alpha, world, {"group_by": [{"field": "owner"}],
                                     "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"},
                                                  {"fn": "count_distinct", "field": "name"}]})  # fmt: skip

    assert [dataset["unit"] for dataset in chart["datasets"]] == ["count", "money", "count"]


def test_two_groupings_chart_the_first_measure_in_its_unit(alpha: TenantFixture, world: World):
    chart = _chart_of(alpha, world, {"group_by": [{"field": "owner"}, {"field": "custom.region"}],
                                     "measures": [{"fn": "sum", "field": "amount"}]})  # fmt: skip

    assert chart["datasets"]
    assert {dataset["unit"] for dataset in chart["datasets"]} == {"money"}
