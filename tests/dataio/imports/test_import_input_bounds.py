"""Hostile cells in import files: control characters another program left in a cell are dropped
and the row imports; a date beyond the platform's window is an error on its column, and the row is
not imported."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modules.dataio.imports.choices import ImportStatus
from modules.dataio.imports.models import ImportJob
from modules.sales.models import Deal, Stage
from modules.sales.services.pipelines import default_pipeline
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.tenancy import TenantFixture

WINDOW = "Enter a date between the years 1000 and 8999."
HEADER = ["Deal name", "Amount", "Expected close date", "Description"]
FILLER = "x" * 5000  # the format check reads the first 4 KB for NUL bytes: the hostile cells come after


def _no_required_fields() -> None:
    pipeline = default_pipeline()
    assert pipeline is not None
    Stage.objects.filter(pipeline=pipeline).update(required_fields=[])


def _imported(alpha: TenantFixture, rows: list[list[str]]) -> ImportJob:
    return imported(uploaded_job("deal", csv_bytes(rows), by=alpha.user(), name="deals.csv"))


def test_a_nul_in_a_cell_is_dropped_and_a_date_beyond_the_window_is_named(alpha: TenantFixture) -> None:
    with alpha.active():
        _no_required_fields()
        rows = [
            HEADER,
            ["Filler", "1", "2031-01-31", FILLER],
            ["Anvils\x00", "10", "2031-01-31", "Heavy\x00 ones"],
            ["Forever", "10", "9999-12-31", ""],
        ]

        job = _imported(alpha, rows)

        anvils = Deal.objects.get(name="Anvils")
        errors = {error.row_number: error.errors for error in job.row_errors.all()}
        forever_kept = Deal.objects.filter(name="Forever").exists()
    assert (job.status, job.created_count, job.failed_count) == (ImportStatus.DONE, 2, 1)
    assert anvils.description == "Heavy ones"
    assert errors == {4: {"expected_close_date": [WINDOW]}}
    assert not forever_kept


def test_any_hostile_cell_is_dropped_or_named(alpha: TenantFixture) -> None:
    with alpha.active():
        _no_required_fields()

    @settings(max_examples=8)
    @given(
        control=st.characters(categories=["Cc"], exclude_characters="\r\n"),
        year=st.integers(min_value=1, max_value=999) | st.integers(min_value=9000, max_value=9999),
    )
    def run(control: str, year: int) -> None:
        with alpha.active():
            rows = [
                HEADER,
                ["Filler", "1", "2031-01-31", FILLER],
                [f"Good{control}", "10", "2031-01-31", f"A{control}B"],
                ["Late", "10", f"{year:04d}-01-31", ""],
            ]

            job = _imported(alpha, rows)

            good = Deal.objects.get(name="Good")  # a tab at the end of a cell is stripped like spaces
            errors = {error.row_number: error.errors for error in job.row_errors.all()}
            late_kept = Deal.objects.filter(name="Late").exists()
            Deal.objects.filter(name__in=["Filler", "Good"]).delete()
        assert job.status == ImportStatus.DONE
        assert good.description == ("A\tB" if control == "\t" else "AB")
        assert errors == {4: {"expected_close_date": [WINDOW]}}
        assert not late_kept

    run()
