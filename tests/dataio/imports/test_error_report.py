"""The error report holds the uploaded file's own cells: a spreadsheet opening it must show them, never run them."""

from __future__ import annotations

import csv

from modules.dataio.imports.report import error_report_lines
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.tenancy import TenantFixture


def test_cells_a_spreadsheet_would_run_are_written_as_text(alpha: TenantFixture) -> None:
    # given a file whose refused row and an unmapped column title start like formulas
    rows = [
        ["First name", "Last name", "E-mail", '=HYPERLINK("http://evil.example")'],
        ["=cmd|' /C calc'!A0", "+1+2", "@SUM(A1)", "-3"],
    ]
    with alpha.active():
        job = uploaded_job("contact", csv_bytes(rows), by=None, mapping=["first_name", "last_name", "email", ""])
        # when it is imported and its error report downloaded
        imported(job)
        report = list(csv.reader("".join(error_report_lines(job)).lstrip("\ufeff").splitlines()))

    # then every such cell starts with an apostrophe, so it is shown as text; the rest is as it was
    assert report == [
        ["First name", "Last name", "E-mail", '\'=HYPERLINK("http://evil.example")', "Row", "Errors"],
        ["'=cmd|' /C calc'!A0", "'+1+2", "'@SUM(A1)", "'-3", "2", "E-mail: Enter a valid email address."],
    ]
