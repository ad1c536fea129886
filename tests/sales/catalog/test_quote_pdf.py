"""The quote PDF as a customer reads it: the seller's details from Settings → Workspace, line
totals, long descriptions whole, and the table's heading again on every page it runs onto."""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from modules.sales.models import Quote
from modules.sales.services.quotes import add_line, create_quote
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import TenantFixture

WORKSPACE = {
    "name": "Alpha Trading SRL",
    "street": "Strada Lungă 5",
    "postal_code": "010101",
    "city": "București",
    "region": "",
    "country": "RO",
    "tax_id": "RO12345678",
    "bank_account_holder": "Alpha Trading SRL",
    "bank_name": "Banca Transilvania",
    "iban": "RO49AAAA1B31007593840000",
    "bank_details_extra": "SWIFT: BTRLRO22",
    "currency": "EUR",
    "time_zone": "Europe/Bucharest",
    "date_format": "Y-m-d",
    "fiscal_year_start_month": "1",
    "working_days": ["0", "1", "2", "3", "4"],
    "working_hours_start": "09:00",
    "working_hours_end": "17:00",
}
# 300 characters, words and one long unbroken part, so both word and character wrapping are needed.
LONG_DESCRIPTION = (
    "Installation of the ventilation system on floors one to four, including ducts, dampers, "
    "grilles and commissioning; works certified to EN 12599 and handed over with the as-built "
    "drawings and the maintenance plan for the first two years of operation. Reference " + "ABCDEFGHIJ" * 4 + "K"
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def logo_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (120, 40), (20, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def quote_with_lines(alpha: TenantFixture, descriptions: list[str]) -> Quote:
    with alpha.active():
        deal = DealFactory(
            company=CompanyFactory(name="Beta Customer SA"), contact=ContactFactory(), owner=alpha.user()
        )
        quote = create_quote(deal=deal, by=None)
        for description in descriptions:
            add_line(quote, by=None, description=description, quantity=Decimal("2"), unit_price=Decimal("1500.25"),
                     tax_rate=Decimal("19"))  # fmt: skip
        quote.refresh_from_db()
    return quote


def pdf_pages(alpha: TenantFixture, quote: Quote) -> tuple[PdfReader, list[str]]:
    response = alpha.client().get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.content))
    return reader, [page.extract_text() for page in reader.pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_carries_the_sellers_details_logo_bank_account_and_line_totals(alpha: TenantFixture):
    client = alpha.client()
    assert client.post("/settings/workspace/", WORKSPACE).status_code == 302
    logo = SimpleUploadedFile("logo.png", logo_png())
    assert client.post("/settings/workspace/logo/upload/", {"logo": logo}).status_code == 302
    quote = quote_with_lines(alpha, ["Consulting"])

    reader, pages = pdf_pages(alpha, quote)

    text = "\n".join(pages)
    for expected in ("Alpha Trading SRL", "Strada Lungă 5", "010101 București", "Tax id: RO12345678",
                     "Bank: Banca Transilvania", "IBAN: RO49 AAAA 1B31 0075 9384 0000", "SWIFT: BTRLRO22",
                     "Beta Customer SA", f"Quote {quote.number}", f"Issued: {quote.issued_on:%Y-%m-%d}"):  # fmt: skip
        assert expected in text, expected
    # One line: 2 × 1,500.25 = 3,000.50 net, 570.10 tax, 3,570.60 with tax.
    assert "3,000.50" in text
    assert "3,570.60" in text
    assert "Total 3,570.60 EUR" in text
    images = list(reader.pages[0].images)
    assert len(images) == 1
    assert images[0].image.size == (120, 40)


def test_a_long_description_wraps_and_is_printed_whole(alpha: TenantFixture):
    assert len(LONG_DESCRIPTION) == 300
    quote = quote_with_lines(alpha, [LONG_DESCRIPTION, "Second line"])

    _reader, pages = pdf_pages(alpha, quote)

    assert squeezed(LONG_DESCRIPTION) in squeezed(pages[0])
    assert "…" not in pages[0]


def test_lines_running_onto_more_pages_repeat_the_heading_under_a_running_header(alpha: TenantFixture):
    quote = quote_with_lines(alpha, [f"Item {index:02d} {LONG_DESCRIPTION[:120]}" for index in range(40)])

    _reader, pages = pdf_pages(alpha, quote)

    assert len(pages) >= 3
    for number, text in enumerate(pages[1:], start=2):
        assert text.splitlines()[0] == f"{alpha.tenant.name} · Quote {quote.number}"
        assert "Description" in text
        assert "Unit price" in text
        assert f"Page {number} of {len(pages)}" in text
    everything = squeezed("".join(pages))
    assert all(squeezed(f"Item {index:02d}") in everything for index in range(40))
    assert "Total" in pages[-1]


def test_without_workspace_details_the_pdf_names_the_tenant_and_prints_no_empty_sections(alpha: TenantFixture):
    quote = quote_with_lines(alpha, ["Consulting"])

    reader, pages = pdf_pages(alpha, quote)

    assert alpha.tenant.name in pages[0]
    assert "Payment details" not in pages[0]
    assert "Tax id" not in pages[0]
    assert list(reader.pages[0].images) == []
