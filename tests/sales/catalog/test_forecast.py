"""The forecast: weighted, committed, won per owner and team against quotas, in the base currency."""

import datetime as dt
from decimal import Decimal

import pytest

from modules.contacts.models import ExchangeRate
from modules.sales.models import Quota, Stage
from modules.sales.selectors.forecast import build_forecast, parse_period
from modules.workspace.models import PROFILE_ID, WorkspaceProfile
from tenants.models import Tenant
from tests.factories import DealFactory
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

MARCH = dt.date(2030, 3, 1)


def _closed(day: int) -> dt.datetime:
    return dt.datetime(2030, 3, day, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def data_set(alpha: TenantFixture, make_user: MakeUser) -> dict[str, object]:
    """Rita (Field sales, with admin), Kim and manager Mia (Key accounts); EUR base, RON at 0.2, no USD rate."""
    Tenant.objects.filter(pk=alpha.tenant.pk).update(currency="EUR")
    mia = make_user("manager", "mia@example.test", full_name="Mia", teams=("Key accounts",))
    kim = make_user("sales_rep", "kim@example.test", full_name="Kim", teams=("Key accounts",))
    rita, admin = alpha.user(REP_EMAIL), alpha.user()
    with alpha.active():
        stages = {stage.name: stage for stage in Stage.objects.all()}
        ExchangeRate.objects.create(currency="RON", valid_from=dt.date(2030, 1, 1), rate=Decimal("0.2"))
        on = dt.date(2030, 3, 20)

        def open_deal(owner, amount, currency, stage, probability=None, close=on, **extra):
            return DealFactory(owner=owner, amount=Decimal(amount), currency=currency, stage=stages[stage],
                               probability=probability, expected_close_date=close, **extra)  # fmt: skip

        open_deal(rita, "10000", "EUR", "Negotiation")  # 75%: committed
        open_deal(rita, "4000", "EUR", "Proposal", probability=80)  # own 80%: committed
        open_deal(rita, "5000", "RON", "Qualification")  # 1,000 EUR at 10%
        open_deal(rita, "9999", "EUR", "Negotiation", close=dt.date(2030, 4, 2))  # next month
        open_deal(kim, "3000", "EUR", "Proposal")
        open_deal(kim, "2000", "USD", "Negotiation", name="No rate")
        open_deal(admin, "1000", "EUR", "Needs analysis")
        for owner, amount, currency, stage, status, day in [
            (rita, "6000", "EUR", "Won", "won", 10),
            (kim, "2500", "RON", "Won", "won", 15),  # 500 EUR
            (admin, "7000", "EUR", "Lost", "lost", 12),
        ]:
            DealFactory(owner=owner, amount=Decimal(amount), currency=currency, stage=stages[stage], status=status,
                        closed_at=_closed(day), expected_close_date=dt.date(2030, 2, 1))  # fmt: skip
        for user, amount in [(rita, "20000"), (kim, "8000"), (admin, "5000"), (mia, "1000")]:
            Quota.objects.create(user=user, month=MARCH, amount=Decimal(amount))
        Quota.objects.create(user=rita, month=dt.date(2030, 1, 1), amount=Decimal("1000"))
    return {"mia": mia, "kim": kim, "rita": rita, "admin": admin}


def _figures(row) -> tuple[Decimal, ...]:
    f = row.figures if hasattr(row, "figures") else row
    return (f.quota, f.won, f.committed, f.weighted, f.pipeline)


def _d(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


def test_the_month_forecast_per_owner_and_team_is_exact(alpha: TenantFixture, data_set):
    with alpha.active():
        result = build_forecast(alpha.user(), parse_period("month", "2030-03", MARCH))

    assert {row.label: _figures(row) for row in result.owners} == {
        # quota, won, committed, weighted, pipeline
        "admin": _d("5000", "0", "0", "250", "1000"),
        "Kim": _d("8000", "500", "0", "1500", "3000"),
        "Mia": _d("1000", "0", "0", "0", "0"),
        "Rita Rep": _d("20000", "6000", "14000", "10800", "15000"),
    }
    assert [row.label for row in result.owners] == ["admin", "Kim", "Mia", "Rita Rep"]
    assert {row.label: _figures(row) for row in result.teams} == {
        "Field sales": _d("25000", "6000", "14000", "11050", "16000"),
        "Key accounts": _d("9000", "500", "0", "1500", "3000"),
    }
    assert _figures(result.total) == _d("34000", "6500", "14000", "12550", "19000")
    assert result.owners[3].figures.attainment == Decimal("30.0")
    assert result.owners[3].figures.gap == Decimal("0")  # 20,000 − (6,000 + 14,000)
    assert [(d.name, d.amount, d.currency, d.owner) for d in result.unconvertible] == [
        ("No rate", Decimal("2000.00"), "USD", "Kim")
    ]


def test_a_quarter_adds_its_months_quotas_and_deals(alpha: TenantFixture, data_set):
    with alpha.active():
        result = build_forecast(alpha.user(), parse_period("quarter", "2030-Q1", MARCH))

    rita = next(row for row in result.owners if row.label == "Rita Rep")
    assert _figures(rita) == _d("21000", "6000", "14000", "10800", "15000")
    assert result.period.key == "2030-Q1"


def test_a_manager_sees_their_team_only(alpha: TenantFixture, data_set):
    response = alpha.client("mia@example.test").get("/forecast/?kind=month&period=2030-03")

    result = response.context["forecast"]
    assert response.status_code == 200
    assert [row.label for row in result.owners] == ["Kim", "Mia"]
    assert [row.label for row in result.teams] == ["Key accounts"]
    assert _figures(result.total) == _d("9000", "500", "0", "1500", "3000")


def test_the_page_shows_the_chart_and_the_unconvertible_deal(alpha: TenantFixture, data_set):
    page = alpha.client().get("/forecast/?kind=month&period=2030-03").content.decode()

    assert "vendor/chart.umd.min.js" in page
    assert 'id="forecast-data"' in page
    assert 'data-testid="unconvertible"' in page
    assert "No rate" in page


@pytest.fixture
def fiscal_april(alpha: TenantFixture) -> None:
    """The workspace's fiscal year starts in April."""
    with alpha.active():
        WorkspaceProfile.objects.update_or_create(pk=PROFILE_ID, defaults={"fiscal_year_start_month": 4})


def test_quarters_and_years_follow_the_fiscal_year(alpha: TenantFixture, data_set, fiscal_april):
    client = alpha.client()

    quarter = client.get("/forecast/?kind=quarter&period=2029-Q4")
    year = client.get("/forecast/?kind=year&period=2029")

    fourth, whole = quarter.context["forecast"], year.context["forecast"]
    assert (fourth.period.start, fourth.period.end) == (dt.date(2030, 1, 1), dt.date(2030, 4, 1))
    assert (whole.period.start, whole.period.end) == (dt.date(2029, 4, 1), dt.date(2030, 4, 1))
    rita = next(row for row in whole.owners if row.label == "Rita Rep")
    # January and March quotas; the deal closing on 2 April 2030 belongs to the next fiscal year
    assert _figures(rita) == _d("21000", "6000", "14000", "10800", "15000")
    assert 'data-testid="forecast-period">Q4 2029/30<' in quarter.content.decode()
    assert 'data-testid="forecast-period">2029/30<' in year.content.decode()
    assert 'href="?kind=year&amp;period=2030"' in year.content.decode()  # the next fiscal year


def test_a_calendar_year_takes_the_deals_a_fiscal_year_leaves_out(alpha: TenantFixture, data_set):
    result = alpha.client().get("/forecast/?kind=year&period=2030").context["forecast"]

    rita = next(row for row in result.owners if row.label == "Rita Rep")
    assert (result.period.start, result.period.end) == (dt.date(2030, 1, 1), dt.date(2031, 1, 1))
    assert rita.figures.pipeline == Decimal("24999")
    assert result.period.label == "2030"


def test_without_a_period_the_fiscal_quarter_or_year_holding_today_is_shown():
    quarter = parse_period("quarter", "", dt.date(2030, 1, 10), fiscal_start_month=11)
    year = parse_period("year", "nonsense", dt.date(2030, 1, 10), fiscal_start_month=11)

    assert (quarter.start, quarter.end, quarter.key) == (dt.date(2029, 11, 1), dt.date(2030, 2, 1), "2029-Q1")
    assert quarter.months == [dt.date(2029, 11, 1), dt.date(2029, 12, 1), dt.date(2030, 1, 1)]
    assert (year.start, year.end, year.key) == (dt.date(2029, 11, 1), dt.date(2030, 11, 1), "2029")
    assert quarter.shifted(1).key == "2029-Q2"
    assert quarter.shifted(-1).key == "2028-Q4"


def test_a_period_beyond_the_years_the_platform_takes_falls_back_to_today():
    today = dt.date(2030, 2, 10)

    assert parse_period("month", "0001-01", today).key == "2030-02"
    assert parse_period("year", "99999", today).key == "2030"


@pytest.mark.parametrize("count", [5, 50])
def test_the_forecast_costs_the_same_queries_for_5_and_50_deals(
    alpha: TenantFixture, django_assert_max_num_queries, count: int
):
    with alpha.active():
        for index in range(count):
            DealFactory(owner=alpha.user(), expected_close_date=dt.date(2030, 3, 1 + index % 28), currency="EUR")
    client = alpha.client()

    with django_assert_max_num_queries(12):  # the workspace's fiscal year start is one
        response = client.get("/forecast/?kind=month&period=2030-03")

    assert response.context["forecast"].total.pipeline == Decimal(1000 * count)


def test_reps_without_reports_permission_are_refused(alpha: TenantFixture):
    response = alpha.client(REP_EMAIL).get("/forecast/")

    assert response.status_code == 403
    assert "Sales: forecast and team activity" in response.content.decode()
    assert alpha.client(REP_EMAIL).get("/forecast/quotas/").status_code == 403


def test_sales_disabled_refuses_the_forecast_as_not_in_the_plan(alpha: TenantFixture, sales_disabled: None):
    assert alpha.client().get("/forecast/").status_code == 403
    assert alpha.client().get("/forecast/quotas/").status_code == 403


def test_quotas_are_edited_for_a_year(alpha: TenantFixture):
    rita = alpha.user(REP_EMAIL)
    client = alpha.client()

    saved = client.post("/forecast/quotas/?year=2030", {"year": "2030", f"quota-{rita.pk}-2030-03": "12500,50"})
    cleared = client.post("/forecast/quotas/?year=2030", {"year": "2030", f"quota-{rita.pk}-2030-04": "100"})

    assert (saved.status_code, cleared.status_code) == (302, 302)
    with alpha.active():
        assert list(Quota.objects.values_list("user_id", "month", "amount")) == [
            (rita.pk, dt.date(2030, 4, 1), Decimal("100.00"))
        ]


def test_bad_quotas_name_the_cell_and_nothing_is_written(alpha: TenantFixture):
    rita = alpha.user(REP_EMAIL)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    negative = client.post("/forecast/quotas/", {"year": "2030", f"quota-{rita.pk}-2030-03": "-5"})
    garbage = client.post("/forecast/quotas/", {"year": "2030", f"quota-{rita.pk}-2030-05": "lots"})

    assert (negative.status_code, garbage.status_code) == (400, 400)
    assert negative.context["errors"] == {f"quota-{rita.pk}-2030-03": ["A quota cannot be negative."]}
    assert garbage.context["errors"] == {f"quota-{rita.pk}-2030-05": ["Enter an amount."]}
    assert schema_snapshot(alpha.tenant) == before


def test_a_manager_without_catalogue_rights_cannot_edit_quotas(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")

    assert alpha.client("reader@example.test").post("/forecast/quotas/", {"year": "2030"}).status_code == 403
