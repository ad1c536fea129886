"""Exporting a report: CSV streamed and XLSX, the reader's own figures, cells a spreadsheet would
run kept as text, and a list of records streamed in batches."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from modules.analytics.reports import execution, exports
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.factories import DealFactory
from tests.tenancy import TenantFixture


def _report(alpha: TenantFixture, world: World, definition, name="Export"):
    with alpha.active():
        return create_report(by=world.admin, name=name, source="deals", definition=definition, sharing="everyone")


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_a_grouped_report_exports_its_groups_as_csv_and_xlsx(alpha: TenantFixture, world: World):
    report = _report(
        alpha,
        world,
        {"group_by": [{"field": "owner"}], "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]},
    )
    client = alpha.client()

    response = client.get(f"/analytics/reports/{report.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert _csv(response) == [
        ["Owner", "Count", "Sum: Amount"],
        ["Ana", "3", "1680.00"],
        ["Cid", "1", "4000.00"],
        ["Mara", "1", "300.00"],
    ]

    workbook = client.get(f"/analytics/reports/{report.pk}/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()][1] == ["Ana", 3, 1680]


def test_a_list_of_records_streams_with_formula_cells_kept_as_text(alpha: TenantFixture, world: World):
    with alpha.active():
        DealFactory(name='=HYPERLINK("http://evil")', owner=world.admin, amount="7.00")
    report = _report(
        alpha,
        world,
        {"columns": ["name", "owner", "amount"], "filters": [{"field": "amount", "op": "lt", "value": "10"}]},
    )

    response = alpha.client().get(f"/analytics/reports/{report.pk}/export.csv")

    assert _csv(response) == [["Name", "Owner", "Amount"], ['\'=HYPERLINK("http://evil")', "", "7.00"]]


def test_the_export_counts_what_the_reader_may_see(alpha: TenantFixture, world: World):
    report = _report(alpha, world, {"measures": [{"fn": "count"}]})
    client = alpha.client("mara@example.test")

    assert _csv(client.get(f"/analytics/reports/{report.pk}/export.csv")) == [["Count"], ["4"]]


def test_a_dashboard_range_narrows_the_run_and_a_bad_one_is_named(alpha: TenantFixture, world: World):
    report = _report(alpha, world, {"measures": [{"fn": "count"}]})
    client = alpha.client()
    path = f"/analytics/reports/{report.pk}/export.csv"

    ranged = client.get(
        path, {"date_field": "closed_at", "from": "2025-02-01", "to": "2025-02-28", "owner": world.ana.pk}
    )
    assert _csv(ranged) == [["Count"], ["2"]]  # A2 (1 February in Bucharest) and A3
    refused = client.get(path, {"from": "2025-02-01"})
    assert refused.status_code == 400
    assert refused.content.decode() == "date_field: Name the date field the range applies to."


def test_a_list_longer_than_a_file_holds_says_where_it_stops(
    alpha: TenantFixture, world: World, monkeypatch: pytest.MonkeyPatch
):
    # A sheet of four rows: the header, two records and the line saying the list was cut.
    monkeypatch.setattr(execution, "MAX_LIST_ROWS", 4)
    monkeypatch.setattr(exports, "BATCH", 1)
    report = _report(alpha, world, {"columns": ["name"]}, name="Deals: all / every one")
    client = alpha.client()

    response = client.get(f"/analytics/reports/{report.pk}/export.csv")
    chunks = list(response.streaming_content)
    assert len(chunks) == 4  # the header, then one piece per batch: written as read, not held whole
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode().lstrip("\ufeff"))))
    assert rows == [["Name"], ["A1"], ["A2"], ["The list stops here: a file holds at most 2 rows."]]

    sheet = load_workbook(io.BytesIO(b"".join(client.get(f"/analytics/reports/{report.pk}/export.xlsx"))))
    assert sheet.active.title == "Deals  all   every one"
    assert [row[0].value for row in sheet.active.iter_rows()][-1] == "The list stops here: a file holds at most 2 rows."


def test_a_list_that_fits_exactly_is_not_marked_cut(
    alpha: TenantFixture, world: World, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(execution, "MAX_LIST_ROWS", 6)  # the header and the five deals
    report = _report(alpha, world, {"columns": ["name"]})

    rows = _csv(alpha.client().get(f"/analytics/reports/{report.pk}/export.csv"))

    assert rows == [["Name"], ["A1"], ["A2"], ["A3"], ["M1"], ["C1"]]
