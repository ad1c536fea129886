"""A report as a PDF: title, filters in words, when it was run, the chart drawn in the PDF, the table
(the pivot of two dimensions, wide tables cut to the page), names in any script, and the same
permissions as the other exports on the page and over REST."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.api.access.helpers import bearer_client, issue_key
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke

BY_OWNER = {
    "filters": [{"field": "amount", "op": "gte", "value": "100"}],
    "group_by": [{"field": "owner"}],
    "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}],
}


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _coloured_rectangles(content: bytes) -> int:
    """Rectangles filled in a colour (RGB other than white): the chart's bars, points and swatches."""
    reader = PdfReader(io.BytesIO(content))
    stream = b"".join(page.get_contents().get_data() for page in reader.pages).decode("latin-1")
    count, coloured = 0, False
    for token in re.finditer(r"([\d.]+ [\d.]+ [\d.]+) rg|([\d.]+) g\b|\bre f\b", stream):
        if token.group(1):
            coloured = token.group(1) != "1.0000 1.0000 1.0000" and len(set(token.group(1).split())) > 1
        elif token.group(2):
            coloured = False
        else:
            count += coloured
    return count


@pytest.fixture
def named(alpha: TenantFixture, world: World) -> World:
    with alpha.active():
        world.ana.full_name = "Анна Łukasiewicz"
        world.ana.save(update_fields=["full_name"])
        world.cid.full_name = "Zdzisław Żółć"
        world.cid.save(update_fields=["full_name"])
    return world


def _report(alpha: TenantFixture, world: World, definition, *, name="Sprzedaż według właściciela", chart="bar"):
    with alpha.active():
        return create_report(by=world.admin, name=name, source="deals", definition=definition, chart=chart,
                             sharing="everyone")  # fmt: skip


def test_a_report_pdf_has_its_title_filters_run_time_chart_and_groups(alpha: TenantFixture, named: World):
    report = _report(alpha, named, BY_OWNER)

    response = alpha.client().get(f"/analytics/reports/{report.pk}/export.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sprzedaz-wedug-wasciciela.pdf"'
    text = _text(response.content)
    assert "Sprzedaż według właściciela" in text
    assert "Filters: Amount at least 100." in text
    assert "Run on" in text
    assert "(Europe/Bucharest)" in text
    assert "Amounts in EUR." in text
    assert "Анна Łukasiewicz 3 1,680.00" in text
    assert "Zdzisław Żółć 1 4,000.00" in text
    assert "Mara 1 300.00" in text
    # Two datasets (count, sum) of three bars each, drawn as filled rectangles, and a legend of two.
    assert _coloured_rectangles(response.content) == 3 * 2 + 2


def test_two_dimensions_print_as_a_pivot_and_a_line_chart_draws_no_bars(alpha: TenantFixture, named: World):
    report = _report(
        alpha, named,
        {"group_by": [{"field": "owner"}, {"field": "custom.region"}], "measures": [{"fn": "count"}]},
        chart="line",
    )  # fmt: skip

    content = alpha.client().get(f"/analytics/reports/{report.pk}/export.pdf").content

    text = _text(content)
    assert "No filters." in text
    # The pivot: owners down, regions across (in the order the groups come), the count in the cells.
    assert "Count\nOwner (empty) South North\nMara 1\nZdzisław Żółć 1\nАнна Łukasiewicz 1 2\n" in text
    # A line chart marks each point with a small square (Mara's empty region, South for Cid and
    # Ana, North for Ana) and the legend has a swatch per region; no bars.
    assert _coloured_rectangles(content) == 4 + 3


def test_a_wide_list_is_cut_into_column_blocks_that_each_name_the_rows(alpha: TenantFixture, named: World):
    columns = ["name", "owner", "amount", "currency", "closed_at", "created_at", "custom.region", "company"]
    report = _report(alpha, named, {"columns": columns}, chart="table")

    text = _text(alpha.client().get(f"/analytics/reports/{report.pk}/export.pdf").content)

    for heading in ("Name", "Owner", "Amount", "Currency", "Region", "Company"):
        assert heading in text
    assert text.count("A1") >= 2  # the record's name starts every block


def test_the_pdf_counts_what_the_reader_may_see_in_their_language(alpha: TenantFixture, named: World):
    report = _report(alpha, named, {"measures": [{"fn": "count"}]})
    with alpha.active():
        named.mara.locale = "pl"
        named.mara.save(update_fields=["locale"])
    client = alpha.client("mara@example.test")

    text = _text(client.get(f"/analytics/reports/{report.pk}/export.pdf").content)

    assert "Sprzedaż według właściciela" in text
    assert "Liczba\n4" in text or "Liczba 4" in text


def test_pdf_needs_the_same_rights_as_the_other_exports(alpha: TenantFixture, beta: TenantFixture, named: World):
    report = _report(alpha, named, BY_OWNER)
    path = f"/analytics/reports/{report.pk}/export.pdf"
    revoke(alpha, "manager", "data.export")
    assert alpha.client("mara@example.test").get(path).status_code == 403
    revoke(alpha, "manager", "analytics.view")
    assert alpha.client("mara@example.test").get(path).status_code == 403
    assert_cross_tenant_requests_fail(alpha, beta, [("get", path, {})])


def test_rest_runs_a_report_as_pdf_with_the_scopes_of_a_run(alpha: TenantFixture, beta: TenantFixture, named: World):
    report = _report(alpha, named, BY_OWNER)
    url = f"/api/v1/analytics/reports/{report.pk}/run/"
    _key, read = issue_key(alpha, scopes=("analytics:read", "sales:read"))
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, other_tenant = issue_key(beta, scopes=("analytics:read", "sales:read"))

    response = bearer_client(alpha, read).get(url, {"output": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Zdzisław Żółć 1 4,000.00" in _text(response.content)
    assert bearer_client(alpha, contacts_only).get(url, {"output": "pdf"}).status_code == 403
    assert bearer_client(beta, other_tenant).get(url, {"output": "pdf"}).status_code == 404
