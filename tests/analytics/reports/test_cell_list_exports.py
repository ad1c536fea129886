"""A list narrowed to a report's group (``?cell=``) keeps its export menu, and the CSV, the XLSX and
a background job hold exactly the group's rows, as the reader may see them; a forged cell is a 400
naming it, a reader without analytics a 403, another workspace a 404, and nothing is exported."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from modules.dataio.exports.models import ExportJob
from modules.dataio.exports.services import run_export, start_list_export
from tests.analytics.acting.conftest import report_cells
from tests.dataio.exports.conftest import csv_rows, private_files, xlsx_rows  # noqa: F401 - autouse fixture
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant

BY_INDUSTRY = {"group_by": [{"field": "industry"}]}


@pytest.fixture
def retail_cell(alpha: TenantFixture) -> str:
    """Three retailers (one the rep's) and two miners; the admin's Retail group's cell token."""
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        for name, owner in (("Retail A", admin), ("Retail B", admin), ("Retail R", rep)):
            CompanyFactory(name=name, industry="Retail", owner=owner)
        for name in ("Mining A", "Mining B"):
            CompanyFactory(name=name, industry="Mining", owner=admin)
    [cell] = [cell for labels, _n, cell in report_cells(alpha, None, "companies", BY_INDUSTRY) if labels[0] == "Retail"]
    return cell


def _export_links(body: str) -> dict[str, str]:
    return {
        kind: html.unescape(url) for url, kind in re.findall(r'href="(/exports/list/company/(csv|xlsx)/[^"]*)"', body)
    }


def test_the_narrowed_lists_export_holds_only_the_groups_rows(alpha: TenantFixture, retail_cell: str):
    client = alpha.client()
    page = client.get("/companies/", {"cell": retail_cell})
    assert page.status_code == 200
    links = _export_links(page.content.decode())
    assert set(links) == {"csv", "xlsx"}
    assert all("cell=" in url for url in links.values())

    as_csv = client.get(links["csv"])
    as_xlsx = client.get(links["xlsx"])

    assert (as_csv.status_code, as_xlsx.status_code) == (200, 200)
    assert sorted(row["Name"] for row in csv_rows(as_csv)) == ["Retail A", "Retail B", "Retail R"]
    headers, rows = xlsx_rows(b"".join(as_xlsx.streaming_content) if as_xlsx.streaming else as_xlsx.content)
    assert sorted(row[headers.index("Name")] for row in rows) == ["Retail A", "Retail B", "Retail R"]


def test_a_rep_exporting_the_admins_group_gets_only_their_own_rows(alpha: TenantFixture, retail_cell: str):
    grant(alpha, "sales_rep", "analytics.view", "data.export")

    response = alpha.client(REP_EMAIL).get("/exports/list/company/csv/", {"cell": retail_cell})

    assert response.status_code == 200
    assert [row["Name"] for row in csv_rows(response)] == ["Retail R"]


def test_a_long_narrowed_list_exports_in_the_background_with_the_same_rows(
    alpha: TenantFixture, retail_cell: str, settings: Any
):
    settings.EXPORT_SYNC_ROWS = 2
    response = alpha.client().get("/exports/list/company/csv/", {"cell": retail_cell})
    assert response.status_code == 302
    with alpha.active():
        job = ExportJob.objects.get()
        assert "cell=" in job.query
        finished = run_export(job.pk)
        assert finished is not None
        assert (finished.status, finished.row_count) == ("done", 3)


def test_forged_forbidden_and_foreign_cells_export_nothing(alpha: TenantFixture, beta: TenantFixture, retail_cell: str):
    url = "/exports/list/company/csv/"
    forged = alpha.client().get(url, {"cell": retail_cell[:-2] + "xx"})
    assert forged.status_code == 400
    assert "cell" in forged.content.decode()

    grant(alpha, "sales_rep", "data.export")  # but not analytics.view
    assert alpha.client(REP_EMAIL).get(url, {"cell": retail_cell}).status_code == 403

    assert_cross_tenant_requests_fail(alpha, beta, [("get", f"{url}?cell={retail_cell}", {})])
    with alpha.active():
        assert not ExportJob.objects.exists()
        # A job whose cell stopped being readable fails rather than exporting the whole list.
        job = start_list_export(user=alpha.user(), entity="company", file_format="csv", query="cell=forged")
        run_export(job.pk)
        job.refresh_from_db()
        assert (job.status, job.row_count) == ("failed", 0)
        assert "cell" in job.error
