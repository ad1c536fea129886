"""Quotes: creation from a deal, numbering, totals, price lists, bad input, status, PDF, access."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from core.pdf_documents import transliterate
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.sales.models import PriceList, PriceListItem, Quote, QuoteLine
from modules.sales.quote_pdf import Seller, render_quote_pdf
from modules.sales.services.quotes import add_line, create_quote
from tests.factories import CompanyFactory, ContactFactory, DealFactory, ProductFactory
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

# Numbers carry the year the quote is issued in: the clock is pinned mid-year, so a run that starts
# on 31 December and reaches these tests on 1 January numbers them as expected.
YEAR = 2026


@pytest.fixture(autouse=True)
def mid_year() -> Iterator[None]:
    with time_machine.travel(datetime(YEAR, 6, 15, 12, 0, tzinfo=UTC), tick=True):
        yield


def _deal(alpha: TenantFixture, **values):
    with alpha.active():
        values.setdefault("owner", alpha.user())
        return DealFactory(company=CompanyFactory(name="Șantierul Nord SRL"), contact=ContactFactory(), **values)


def _line(quantity: str, price: str, discount: str, tax: str, description: str = "Work") -> dict[str, str]:
    return {"description": description, "quantity": quantity, "unit_price": price, "discount_percent": discount,
            "tax_rate": tax}  # fmt: skip


def test_a_quote_from_a_deal_takes_its_customer_and_currency_and_is_numbered(alpha: TenantFixture):
    deal = _deal(alpha, currency="RON")
    client = alpha.client()

    first = client.post(f"/quotes/new/?deal={deal.pk}", {"discount_percent": "0"})
    second = client.post(f"/quotes/new/?deal={deal.pk}", {"discount_percent": "0"})

    assert (first.status_code, second.status_code) == (302, 302)
    with alpha.active():
        quotes = list(Quote.objects.order_by("id"))
        entries = list(TimelineEntry.objects.filter(deal=deal, kind=TimelineKind.QUOTE).values_list("data", flat=True))
    assert [q.number for q in quotes] == [f"Q-{YEAR}-0001", f"Q-{YEAR}-0002"]
    assert first["Location"] == f"/quotes/{quotes[0].pk}/"
    assert [(q.company_id, q.contact_id, q.currency, q.owner_id, q.status) for q in quotes] == [
        (deal.company_id, deal.contact_id, "RON", deal.owner_id, "draft")
    ] * 2
    assert sorted(entry["number"] for entry in entries) == [f"Q-{YEAR}-0001", f"Q-{YEAR}-0002"]


def test_numbering_continues_after_the_highest_number_of_the_year(alpha: TenantFixture):
    deal = _deal(alpha)
    with alpha.active():
        Quote.objects.create(number=f"Q-{YEAR}-0009", currency="EUR")
        Quote.objects.create(number=f"Q-{YEAR - 1}-0042", currency="EUR")
        quote = create_quote(deal=deal, by=None)

    assert quote.number == f"Q-{YEAR}-0010"


def test_totals_apply_line_and_quote_discounts_two_tax_rates_and_round_half_up(alpha: TenantFixture):
    deal = _deal(alpha)
    client = alpha.client()
    client.post(f"/quotes/new/?deal={deal.pk}", {"discount_percent": "5"})
    with alpha.active():
        quote = Quote.objects.get()

    for line in (
        _line("3", "19.99", "10", "19"),  # net 53.97, tax 53.97 × 0.95 × 19% = 9.74
        _line("2.5", "40.00", "0", "9"),  # net 100.00, tax 8.55
        _line("7", "1.15", "15", "19"),  # net 6.8425 → 6.84, tax 1.23
        _line("1", "0.25", "50", "0"),  # net 0.125 → 0.13 (half up), no tax
    ):
        assert client.post(f"/quotes/{quote.pk}/lines/", line).status_code == 302
    page = client.get(f"/quotes/{quote.pk}/")

    with alpha.active():
        quote.refresh_from_db()
    # subtotal 160.94; quote discount 5% = 8.047 → 8.05; tax 9.74 + 8.55 + 1.23 = 19.52
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        Decimal("160.94"),
        Decimal("8.05"),
        Decimal("19.52"),
        Decimal("172.41"),
    )
    assert 'data-testid="total">172.41 EUR<' in page.content.decode()


def test_a_product_line_takes_the_price_list_price_else_the_list_price(alpha: TenantFixture):
    deal = _deal(alpha)
    with alpha.active():
        listed = ProductFactory(name="Router", unit_price=Decimal("120.00"), tax_rate=Decimal("19.00"))
        unlisted = ProductFactory(name="Cable", unit_price=Decimal("4.50"), tax_rate=Decimal("9.00"))
        partners = PriceList.objects.create(name="Partners", currency="EUR")
        PriceListItem.objects.create(price_list=partners, product=listed, unit_price=Decimal("99.90"))
    client = alpha.client()
    client.post(f"/quotes/new/?deal={deal.pk}", {"discount_percent": "0", "price_list": partners.pk})
    with alpha.active():
        quote = Quote.objects.get()

    prefill = client.get(f"/quotes/{quote.pk}/lines/prefill/?product={listed.pk}")
    client.post(f"/quotes/{quote.pk}/lines/", {"product": listed.pk, "quantity": "2"})
    client.post(f"/quotes/{quote.pk}/lines/", {"product": unlisted.pk, "quantity": "10"})

    assert prefill.status_code == 200
    assert 'value="99.90"' in prefill.content.decode()
    with alpha.active():
        lines = list(QuoteLine.objects.order_by("position").values_list("description", "unit_price", "tax_rate"))
        quote.refresh_from_db()
    assert lines == [("Router", Decimal("99.90"), Decimal("19.00")), ("Cable", Decimal("4.50"), Decimal("9.00"))]
    assert quote.total == Decimal("286.81")  # 199.80 + 45.00 net, 37.96 + 4.05 tax


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (_line("-1", "10", "0", "19"), "quantity"),
        (_line("1", "10", "101", "19"), "discount_percent"),
        (_line("1", "10", "0", "150"), "tax_rate"),
        (_line("1", "-10", "0", "19"), "unit_price"),
        ("other-currency-product", "product"),
    ],
)
def test_bad_lines_are_refused_naming_the_field_and_nothing_is_written(alpha: TenantFixture, values, field: str):
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
        if values == "other-currency-product":
            values = {"product": ProductFactory(currency="PLN").pk, "quantity": "1"}
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/quotes/{quote.pk}/lines/", values)

    assert response.status_code == 400
    assert list(response.context["line_form"].errors) == [field]
    assert schema_snapshot(alpha.tenant) == before


def test_editing_a_line_recomputes_the_totals_and_bad_values_change_nothing(alpha: TenantFixture):
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
        line = add_line(quote, by=None, description="Setup", unit_price=Decimal("10"), tax_rate=Decimal("19"))
    client = alpha.client()
    prefix = f"line-{line.pk}-"

    edited = client.post(
        f"/quotes/{quote.pk}/lines/{line.pk}/",
        {f"{prefix}description": "Setup, two days", f"{prefix}quantity": "2", f"{prefix}unit_price": "12.50",
         f"{prefix}discount_percent": "10", f"{prefix}tax_rate": "19"},
    )  # fmt: skip
    before = schema_snapshot(alpha.tenant)
    refused = client.post(
        f"/quotes/{quote.pk}/lines/{line.pk}/",
        {f"{prefix}description": "Setup", f"{prefix}quantity": "0", f"{prefix}unit_price": "12.50"},
    )

    assert edited.status_code == 302
    assert refused.status_code == 400
    assert refused.context["lines"][0].edit_form.errors == {"quantity": ["The quantity must be more than zero."]}
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        quote.refresh_from_db()
    assert (quote.subtotal, quote.tax_total, quote.total) == (Decimal("22.50"), Decimal("4.28"), Decimal("26.78"))


def test_a_quote_discount_over_100_is_refused(alpha: TenantFixture):
    deal = _deal(alpha)
    client = alpha.client()

    response = client.post(f"/quotes/new/?deal={deal.pk}", {"discount_percent": "120"})

    assert response.status_code == 400
    assert response.context["form"].errors["discount_percent"] == ["A discount is between 0 and 100%."]
    with alpha.active():
        assert not Quote.objects.exists()


def test_a_quote_goes_from_draft_to_sent_to_accepted_and_the_deal_timeline_says_so(alpha: TenantFixture):
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
    client = alpha.client()

    empty = client.post(f"/quotes/{quote.pk}/status/", {"status": "sent"})
    with alpha.active():
        add_line(quote, by=None, description="Setup", unit_price=Decimal("10"))
    sent = client.post(f"/quotes/{quote.pk}/status/", {"status": "sent"})
    line_after_sending = client.post(f"/quotes/{quote.pk}/lines/", _line("1", "1", "0", "0"))
    skipped = client.post(f"/quotes/{quote.pk}/status/", {"status": "draft"})
    accepted = client.post(f"/quotes/{quote.pk}/status/", {"status": "accepted"})

    assert empty.status_code == 400
    assert (sent.status_code, skipped.status_code, accepted.status_code) == (302, 302, 400)
    assert line_after_sending.status_code == 400
    assert line_after_sending.context["line_form"].errors["__all__"] == ["Only a draft quote can be changed."]
    with alpha.active():
        quote.refresh_from_db()
        statuses = [
            (e["previous_status"], e["status"])
            for e in TimelineEntry.objects.filter(deal=deal, kind=TimelineKind.QUOTE, data__action="status")
            .order_by("id")
            .values_list("data", flat=True)
        ]
    assert quote.status == "draft"
    assert statuses == [("draft", "sent"), ("sent", "draft")]


def test_the_pdf_is_a_pdf_with_the_quote_number_and_renders_romanian_and_cyrillic(alpha: TenantFixture):
    deal = _deal(alpha, name="Оферта для Ирины")
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
        add_line(
            quote,
            by=None,
            description="Instalație țevi — Łódź, Сербия",
            quantity=Decimal("2"),
            unit_price=Decimal("1234.5"),
        )

    response = alpha.client().get(f"/quotes/{quote.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"Quote {quote.number}".encode() in response.content  # the document title
    assert b"DejaVuSans" in response.content


def test_without_a_unicode_font_the_pdf_transliterates(alpha: TenantFixture, tmp_path):
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
        line = add_line(quote, by=None, description="Țeavă Łódź Ирина", unit_price=Decimal("5"))

        content = render_quote_pdf(quote, [line], seller=Seller(name="Alpha Ltd"), font_dirs=[tmp_path])

    # The pages' content streams, decoded by a PDF reader: cutting streams out of the bytes with a
    # pattern fails whenever the compressed data happens to end in a carriage return.
    text = b"".join(page.get_contents().get_data() for page in PdfReader(BytesIO(content)).pages)
    assert content.startswith(b"%PDF")
    assert b"Helvetica" in content
    assert "(Teava Lódz Irina)".encode("latin-1") in text
    assert f"(Quote {quote.number})".encode() in text
    assert transliterate("Țeavă Łódź Ирина — Шишкин") == "Teava Lódz Irina - Shishkin"


def test_a_rep_sees_only_their_own_quotes(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = create_quote(deal=DealFactory(owner=rep), by=rep)
        others = create_quote(deal=DealFactory(owner=alpha.user()), by=None)
        foreign_deal = DealFactory(owner=alpha.user())
    client = alpha.client(REP_EMAIL)

    listed = [q.number for q in client.get("/quotes/").context["quotes"]]

    assert listed == [own.number]
    assert client.get(f"/quotes/{own.pk}/").status_code == 200
    assert client.get(f"/quotes/{others.pk}/").status_code == 404
    assert client.get(f"/quotes/{others.pk}/pdf/").status_code == 404
    assert client.post(f"/quotes/new/?deal={foreign_deal.pk}", {"discount_percent": "0"}).status_code == 404


def test_read_only_users_read_quotes_but_cannot_write(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
    client = alpha.client("reader@example.test")
    before = schema_snapshot(alpha.tenant)

    assert client.get(f"/quotes/{quote.pk}/").status_code == 200
    for path, data in [
        (f"/quotes/new/?deal={deal.pk}", {"discount_percent": "0"}),
        (f"/quotes/{quote.pk}/lines/", _line("1", "1", "0", "0")),
        (f"/quotes/{quote.pk}/edit/", {"discount_percent": "1"}),
        (f"/quotes/{quote.pk}/status/", {"status": "sent"}),
    ]:
        assert client.post(path, data).status_code == 403, path
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize("count", [5, 50])
def test_the_quote_list_costs_the_same_queries_for_5_and_50(
    alpha: TenantFixture, django_assert_max_num_queries, count: int
):
    with alpha.active():
        for _index in range(count):
            create_quote(deal=DealFactory(owner=alpha.user(), company=CompanyFactory()), by=None)
    client = alpha.client()

    with django_assert_max_num_queries(7):
        response = client.get("/quotes/")

    assert len(response.context["quotes"]) == count


def test_sales_disabled_refuses_quotes_as_not_in_the_plan(alpha: TenantFixture, sales_disabled: None):
    assert alpha.client().get("/quotes/").status_code == 403


def test_another_tenant_cannot_reach_quotes(alpha: TenantFixture, beta: TenantFixture):
    deal = _deal(alpha)
    with alpha.active():
        quote = create_quote(deal=deal, by=None)
        line = add_line(quote, by=None, description="Setup", unit_price=Decimal("10"))

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/quotes/{quote.pk}/", {}),
            ("get", f"/quotes/{quote.pk}/pdf/", {}),
            ("get", f"/quotes/{quote.pk}/lines/prefill/", {}),
            ("post", f"/quotes/{quote.pk}/edit/", {"discount_percent": "3"}),
            ("post", f"/quotes/{quote.pk}/lines/", _line("1", "1", "0", "0")),
            ("post", f"/quotes/{quote.pk}/lines/{line.pk}/", {f"line-{line.pk}-quantity": "5"}),
            ("post", f"/quotes/{quote.pk}/lines/{line.pk}/delete/", {}),
            ("post", f"/quotes/{quote.pk}/status/", {"status": "sent"}),
            ("post", f"/quotes/new/?deal={deal.pk}", {"discount_percent": "0"}),
        ],
    )
