"""The forecast per product, industry and country: exact figures against hand-built deals, no quotas,
and a query count that does not grow with the deals.

March 2030, EUR base, RON at 0.2. Acme: Software, RO. Bolt: Retail, DE.
- O1 open 10,000 EUR, Acme, Negotiation (75 %: committed); a confirmed order, Widget net 600 and
  Gadget net 400 → Widget 6,000, Gadget 4,000.
- O2 open 5,000 RON = 1,000 EUR at 10 %, Bolt; an accepted quote with Widget.
- O3 open 2,000 EUR at 50 %, no company, no lines.
- W1 won 3,000 EUR on 10 March, Acme; a sent quote with Gadget.
- W2 won 2,500 RON = 500 EUR on 15 March, Bolt; no lines.
- An April deal of Acme, outside the month."""

import datetime as dt
from decimal import Decimal

import pytest

from modules.contacts.models import ExchangeRate
from modules.sales.models import Order, OrderLine, Quote, QuoteLine, Stage
from modules.sales.selectors.forecast import build_forecast, parse_period
from tenants.models import Tenant
from tests.factories import CompanyFactory, DealFactory, ProductFactory
from tests.tenancy import TenantFixture

MARCH = dt.date(2030, 3, 1)


@pytest.fixture
def deals(alpha: TenantFixture) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(currency="EUR")
    admin = alpha.user()
    with alpha.active():
        stages = {stage.name: stage for stage in Stage.objects.all()}
        ExchangeRate.objects.create(currency="RON", valid_from=dt.date(2030, 1, 1), rate=Decimal("0.2"))
        acme = CompanyFactory(name="FG Acme", industry="Software", country="RO")
        bolt = CompanyFactory(name="FG Bolt", industry="Retail", country="DE")
        widget, gadget = ProductFactory(name="FG Widget"), ProductFactory(name="FG Gadget")
        on = dt.date(2030, 3, 20)

        def deal(amount, currency, company, stage="Qualification", probability=None, **extra):
            return DealFactory(owner=admin, amount=Decimal(amount), currency=currency, company=company,
                               stage=stages[stage], probability=probability, **extra)  # fmt: skip

        o1 = deal("10000", "EUR", acme, "Negotiation", expected_close_date=on)
        o2 = deal("5000", "RON", bolt, probability=10, expected_close_date=on)
        deal("2000", "EUR", None, probability=50, expected_close_date=on)
        w1 = deal("3000", "EUR", acme, "Won", status="won", closed_at=dt.datetime(2030, 3, 10, 12, tzinfo=dt.UTC))
        deal("2500", "RON", bolt, "Won", status="won", closed_at=dt.datetime(2030, 3, 15, 12, tzinfo=dt.UTC))
        deal("9999", "EUR", acme, "Negotiation", expected_close_date=dt.date(2030, 4, 2))
        order = Order.objects.create(number="FG-O1", deal=o1, currency="EUR", ordered_on=on)
        for product, net in ((widget, "600"), (gadget, "400")):
            OrderLine.objects.create(order=order, product=product, description=product.name,
                                     unit_price=Decimal(net), net_amount=Decimal(net))  # fmt: skip
        for number, target, status, product in (("FG-Q1", o2, "accepted", widget), ("FG-Q2", w1, "sent", gadget)):
            quote = Quote.objects.create(number=number, deal=target, status=status, currency=target.currency)
            QuoteLine.objects.create(quote=quote, product=product, description=product.name, unit_price=Decimal(1))


def _rows(result) -> dict[str, tuple[str, ...]]:
    rows = {
        row.label: tuple(str(getattr(row.figures, name)) for name in ("won", "committed", "weighted", "pipeline"))
        for row in result.groups
    }
    rows["total"] = tuple(str(getattr(result.total, name)) for name in ("won", "committed", "weighted", "pipeline"))
    return rows


def test_per_product_each_deal_is_shared_by_its_lines(alpha: TenantFixture, deals):
    with alpha.active():
        result = build_forecast(alpha.user(), parse_period("month", "2030-03", MARCH), "product")

    assert _rows(result) == {
        # won, committed, weighted, pipeline
        "FG Gadget": ("3000.00", "4000.00", "3000.00", "4000.00"),
        "FG Widget": ("0.00", "6000.00", "4600.00", "7000.00"),
        "No product": ("500.00", "0.00", "1000.00", "2000.00"),
        "total": ("3500.00", "10000.00", "8600.00", "13000.00"),
    }
    assert [row.label for row in result.groups] == ["FG Gadget", "FG Widget", "No product"]
    assert [row.figures.open_deals for row in result.groups] == [1, 2, 1]
    assert result.owners == []
    assert result.teams == []
    assert result.total.quota == Decimal("0")


@pytest.mark.parametrize(
    ("by", "acme", "bolt", "empty"),
    [("industry", "Software", "Retail", "No industry"), ("country", "RO", "DE", "No country")],
)
def test_per_industry_and_country_the_company_decides(alpha: TenantFixture, deals, by, acme, bolt, empty):
    with alpha.active():
        result = build_forecast(alpha.user(), parse_period("month", "2030-03", MARCH), by)

    assert _rows(result) == {
        acme: ("3000.00", "10000.00", "7500.00", "10000.00"),
        bolt: ("500.00", "0.00", "100.00", "1000.00"),
        empty: ("0.00", "0.00", "1000.00", "2000.00"),
        "total": ("3500.00", "10000.00", "8600.00", "13000.00"),
    }


def test_the_owner_view_has_the_same_total_with_quotas(alpha: TenantFixture, deals):
    with alpha.active():
        result = build_forecast(alpha.user(), parse_period("month", "2030-03", MARCH), "owner")

    assert (str(result.total.weighted), str(result.total.pipeline), str(result.total.won)) == (
        "8600.00", "13000.00", "3500.00",
    )  # fmt: skip
    assert result.groups == []


def test_the_page_groups_by_product_and_hides_quotas(alpha: TenantFixture, deals):
    response = alpha.client().get("/forecast/", {"kind": "month", "period": "2030-03", "by": "product"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="forecast-groups"' in page
    assert 'data-testid="forecast-owners"' not in page
    assert "Gap to quota" not in page
    assert [dataset["label"] for dataset in response.context["chart"]["datasets"]] == [
        "Won", "Committed", "Weighted pipeline",
    ]  # fmt: skip
    assert response.context["chart"]["labels"] == ["FG Gadget", "FG Widget", "No product"]
    assert "by=product" in page  # the period arrows keep the grouping


def test_an_unknown_grouping_shows_owners_and_teams(alpha: TenantFixture, deals):
    response = alpha.client().get("/forecast/", {"kind": "month", "period": "2030-03", "by": "planet"})

    assert response.status_code == 200
    assert response.context["forecast"].by == "owner"
    assert "Gap to quota" in response.content.decode()


@pytest.mark.parametrize("by", ["product", "industry", "country"])
@pytest.mark.parametrize("count", [5, 50])
def test_each_grouping_costs_the_same_queries_for_5_and_50_deals(
    alpha: TenantFixture, django_assert_max_num_queries, count: int, by: str
):
    with alpha.active():
        company = CompanyFactory(industry="Software", country="RO")
        for index in range(count):
            DealFactory(owner=alpha.user(), company=company, expected_close_date=dt.date(2030, 3, 1 + index % 28))
    client = alpha.client()

    with django_assert_max_num_queries(12):
        response = client.get("/forecast/", {"kind": "month", "period": "2030-03", "by": by})

    assert response.context["forecast"].total.pipeline == Decimal(1000 * count)


@pytest.mark.parametrize("by", ["product", "industry", "country"])
def test_each_groups_won_and_pipeline_open_the_deals_they_count(alpha: TenantFixture, deals, by: str):
    client = alpha.client()
    response = client.get("/forecast/", {"kind": "month", "period": "2030-03", "by": by})
    rows = response.context["group_rows"]

    linked = 0
    for row, won_url, pipeline_url in rows:
        if by == "product" and not row.key:
            assert (won_url, pipeline_url) == (None, None)  # "No product" is no list parameter
            continue
        for url, expected in ((won_url, row.figures.won_deals), (pipeline_url, row.figures.open_deals)):
            listed = client.get(url)
            assert listed.status_code == 200, url
            assert listed.context["count"].value == expected, (row.label, url)
            linked += 1
    assert linked >= 4
    assert 'data-testid="forecast-won-link"' in response.content.decode()
