"""Importing orders with their lines: one row per line with the number repeated, grouped into one
order per number (rows together or apart), products by SKU or name, totals from the lines; an order
is imported whole or not at all, each error on its row and column; the preview counts orders and
lines; hostile files (another encoding, NUL bytes, huge numbers) are row errors or a refused
upload, never a server error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.dataio.imports.choices import DedupeRule
from modules.dataio.imports.processing import order_counts
from modules.dataio.imports.report import error_report_lines
from modules.dataio.imports.services import undo_import
from modules.sales.models import Order, OrderLine
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job, xlsx_bytes
from tests.factories import CompanyFactory, ProductFactory
from tests.tenancy import TenantFixture

HEADER = ["Order number", "Order date", "Company", "Currency", "SKU", "Description", "Qty", "Unit price",
          "Line discount", "VAT"]  # fmt: skip
MAPPING = ["number", "ordered_on", "company", "currency", "line_product", "line_description", "line_quantity",
           "line_unit_price", "line_discount_percent", "line_tax_rate"]  # fmt: skip


def _catalogue() -> None:
    CompanyFactory(name="Brick & Mortar SRL")
    CompanyFactory(name="Kiln Works")
    ProductFactory(name="Red brick", sku="BR-RED", currency="EUR", unit_price=Decimal("0.80"), tax_rate=Decimal("19"))
    ProductFactory(name="Mortar 25 kg", sku="MO-25", currency="EUR", unit_price=Decimal("6.50"), tax_rate=Decimal("19"))


ROWS = [
    HEADER,
    ["ERP-2001", "2025-03-14", "Brick & Mortar SRL", "EUR", "BR-RED", "", "1000", "", "5", ""],
    ["ERP-2001", "", "", "", "mortar 25 kg", "", "10", "6.00", "", ""],
    ["ERP-2001", "2025-03-14", "Brick & Mortar SRL", "EUR", "", "Delivery", "1", "45", "", "0"],
    ["ERP-2002", "2025-04-02", "Kiln Works", "EUR", "MO-25", "", "4", "", "", ""],
]


def test_a_csv_of_lines_becomes_one_order_per_number_with_its_lines_and_totals(alpha: TenantFixture) -> None:
    with alpha.active():
        _catalogue()
        job = imported(uploaded_job("order", csv_bytes(ROWS), by=alpha.user(), name="orders.csv"))

        orders = {order.number: order for order in Order.objects.all()}
        lines = list(
            OrderLine.objects.filter(order=orders["ERP-2001"])
            .order_by("position")
            .values_list("position", "product__sku", "description", "quantity", "unit_price", "net_amount")
        )
        events = list(DomainEvent.objects.filter(type="order.created").order_by("record_id"))
        entry = TimelineEntry.objects.get(kind=TimelineKind.ORDER, data__number="ERP-2001")
        first = orders["ERP-2001"]
        refused = job.row_errors.count()
        company = first.company.name
    assert job.mapping == MAPPING
    assert (job.created_count, job.failed_count, refused) == (2, 0, 0)
    assert sorted(orders) == ["ERP-2001", "ERP-2002"]
    assert (first.ordered_on, company, first.currency) == (date(2025, 3, 14), "Brick & Mortar SRL", "EUR")
    assert lines == [
        (1, "BR-RED", "Red brick", Decimal("1000.000"), Decimal("0.80"), Decimal("760.00")),
        (2, "MO-25", "Mortar 25 kg", Decimal("10.000"), Decimal("6.00"), Decimal("60.00")),
        (3, None, "Delivery", Decimal("1.000"), Decimal("45.00"), Decimal("45.00")),
    ]
    # 760 + 60 at 19 % tax, delivery untaxed
    assert (first.subtotal, first.tax_total, first.total) == (Decimal("865.00"), Decimal("155.80"), Decimal("1020.80"))
    assert orders["ERP-2002"].total == Decimal("30.94")
    assert [event.data["total"] for event in events] == ["1020.80", "30.94"]
    assert entry.data["total"] == "1020.80"


def test_an_xlsx_of_lines_imports_the_same_and_rows_of_an_order_may_stand_apart(alpha: TenantFixture) -> None:
    scattered = [ROWS[0], ROWS[1], ROWS[4], ROWS[2], ROWS[3]]
    with alpha.active():
        _catalogue()
        job = imported(uploaded_job("order", xlsx_bytes(scattered), by=alpha.user(), name="orders.xlsx"))
        totals = dict(Order.objects.values_list("number", "total"))
        line_counts = {number: OrderLine.objects.filter(order__number=number).count() for number in totals}
        assert job.row_errors.count() == 0
    assert totals == {"ERP-2001": Decimal("1020.80"), "ERP-2002": Decimal("30.94")}
    assert line_counts == {"ERP-2001": 3, "ERP-2002": 1}


def test_one_bad_row_refuses_its_whole_order_and_names_its_row_and_column(alpha: TenantFixture) -> None:
    rows = [
        HEADER,
        ["ERP-3001", "2025-03-14", "Brick & Mortar SRL", "EUR", "BR-RED", "", "100", "", "", ""],
        ["ERP-3001", "", "", "", "NO-SUCH-SKU", "", "1", "", "", ""],
        ["ERP-3001", "", "", "", "", "Delivery", "0", "45", "", ""],
        ["ERP-3001", "", "Kiln Works", "", "", "Pallets", "2", "10", "", ""],
        ["ERP-3002", "2025-04-02", "Kiln Works", "EUR", "MO-25", "", "4", "", "150", ""],
        ["ERP-3003", "2025-04-03", "Kiln Works", "EUR", "MO-25", "", "4", "", "", ""],
    ]
    with alpha.active():
        _catalogue()
        job = imported(uploaded_job("order", csv_bytes(rows), by=alpha.user(), name="orders.csv"))
        numbers = list(Order.objects.values_list("number", flat=True))
        errors = {error.row_number: error.errors for error in job.row_errors.all()}
        report = "".join(error_report_lines(job))
        lines = list(OrderLine.objects.values_list("order__number", flat=True))
    assert numbers == ["ERP-3003"]
    assert lines == ["ERP-3003"]
    assert errors[3] == {"line_product": ["No active product has the SKU or name “NO-SUCH-SKU”."]}
    assert list(errors[4]) == ["line_quantity"]
    assert errors[5] == {"company": ["Row 2 gives “Brick & Mortar SRL” for this order."]}
    assert errors[2] == {"__all__": ["Not imported: rows 3, 4, 5 of this order have errors."]}
    assert list(errors[6]) == ["line_discount_percent"]
    assert set(errors) == {2, 3, 4, 5, 6}
    assert (job.created_count, job.failed_count) == (1, 5)
    # The report names the file's own columns.
    assert "Qty: The quantity must be more than zero." in report


def test_lines_do_not_change_an_existing_order_in_update_mode(alpha: TenantFixture) -> None:
    with alpha.active():
        _catalogue()
        imported(uploaded_job("order", csv_bytes(ROWS), by=alpha.user(), name="orders.csv"))
        again = imported(uploaded_job("order", csv_bytes(ROWS[:3]), by=alpha.user(), dedupe=DedupeRule.UPDATE))
        skipped = imported(uploaded_job("order", csv_bytes(ROWS), by=alpha.user(), dedupe=DedupeRule.SKIP))

        errors = {error.row_number: error.errors for error in again.row_errors.all()}
        line_count = OrderLine.objects.filter(order__number="ERP-2001").count()
        skipped_errors = skipped.row_errors.count()
    assert set(errors) == {2, 3}
    assert all("An import does not change the lines of an existing order." in str(e) for e in errors.values())
    assert line_count == 3
    assert (skipped.skipped_count, skipped.created_count, skipped_errors) == (4, 0, 0)


def test_an_order_split_across_batches_stays_whole_and_undo_removes_orders_with_their_lines(
    alpha: TenantFixture,
) -> None:
    rows = [HEADER] + [
        [f"ERP-4{index // 3:03d}", "2025-03-14", "Kiln Works", "EUR", "MO-25", "", "1", "", "", ""]
        for index in range(9)
    ]
    with alpha.active():
        _catalogue()
        job = imported(uploaded_job("order", csv_bytes(rows), by=alpha.user()), batch_size=2)
        counts = sorted(Order.objects.values_list("number", flat=True))
        lines = OrderLine.objects.count()
        assert (job.row_errors.count(), counts, lines) == (0, ["ERP-4000", "ERP-4001", "ERP-4002"], 9)

        undo_import(job, by=alpha.user())

        assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)


def test_the_preview_says_how_many_orders_and_lines_the_file_holds(alpha: TenantFixture) -> None:
    with alpha.active():
        _catalogue()
        job = uploaded_job("order", csv_bytes([*ROWS, ["ERP-2003", "2025-05-01", "Kiln Works", "EUR", "", "", "", "",
                                                         "", ""]]), by=alpha.user())  # fmt: skip
        assert order_counts(job) == (3, 4)
    page = alpha.client().get(f"/imports/{job.pk}/preview/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="order-counts"' in text
    assert "The file holds 3 orders with 4 lines in all" in text


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("1" * 40, "line_quantity"),
        ("1e999999", "line_unit_price"),
        ("9" * 30, "line_unit_price"),
        ("NaN", "line_quantity"),
        ("-Infinity", "line_tax_rate"),
    ],
)
def test_huge_or_strange_numbers_are_row_errors_on_their_column(alpha: TenantFixture, cell: str, column: str) -> None:
    position = MAPPING.index(column)
    row = ["ERP-5001", "2025-03-14", "Kiln Works", "EUR", "", "Bricks", "1", "2", "", ""]
    row[position] = cell
    with alpha.active():
        _catalogue()
        job = imported(uploaded_job("order", csv_bytes([HEADER, row]), by=alpha.user()))
        errors = {error.row_number: error.errors for error in job.row_errors.all()}
        assert not Order.objects.exists()
    assert list(errors) == [2]
    assert column in errors[2]


def test_a_file_in_another_encoding_or_with_nul_bytes_never_fails_the_server(alpha: TenantFixture) -> None:
    rows = [HEADER, ["ERP-6001", "2025-03-14", "Kiln Works", "EUR", "", "Cărămidă presată", "2", "3", "", ""]]
    # The upload refuses NUL bytes in the first 4 KB; rows before fill those, so the NULs come after.
    filler = [[f"ERP-61{index:02d}", "2025-03-14", "Kiln Works", "EUR", "", "Bricks " * 10, "1", "1", "", ""]
              for index in range(60)]  # fmt: skip
    nul = [
        HEADER,
        *filler,
        ["ERP-6002\x00", "2025-03-14", "Kiln\x00 Works", "EUR", "", "Tiles\x00", "1\x00", "2", "", ""],
    ]
    with alpha.active():
        _catalogue()
        latin = imported(uploaded_job("order", csv_bytes(rows, encoding="cp1250"), by=alpha.user()))
        description = OrderLine.objects.get(order__number="ERP-6001").description
        with pytest.raises(ValidationError) as refused:
            uploaded_job("order", csv_bytes(rows, encoding="utf-16"), by=alpha.user())
        with_nul = imported(uploaded_job("order", csv_bytes(nul), by=alpha.user()))
        nul_order = Order.objects.get(number="ERP-6002")
        nul_line = nul_order.lines.get()
        nul_company = nul_order.company.name
        assert latin.row_errors.count() == 0
        assert with_nul.row_errors.count() == 0
    # Not UTF-8: read as Windows-1252, the letters that code page lacks come out as others, but the
    # row imports.
    assert description == "Cãrãmidã presatã"
    assert list(refused.value.message_dict) == ["file"]
    assert (nul_company, nul_line.description, nul_line.quantity) == ("Kiln Works", "Tiles", Decimal("1"))


def test_the_upload_page_answers_a_file_that_is_not_text_with_a_form_error(alpha: TenantFixture) -> None:
    content = csv_bytes(ROWS, encoding="utf-16")

    response = alpha.client().post("/imports/new/", {"entity": "order", "file": SimpleUploadedFile("o.csv", content)})

    assert response.status_code == 400
    assert "This file is not text" in response.content.decode()
