"""The public home page: plans, their modules and limits, seat prices per currency and interval."""

import pytest
from django.test import Client

from billing.models import Plan, PlanPrice
from tests.signup.conftest import section


@pytest.mark.parametrize(
    ("currency", "interval", "prices"),
    [
        ("EUR", "month", {"starter": "19.00 EUR", "growth": "49.00 EUR", "enterprise": "99.00 EUR"}),
        ("RON", "month", {"starter": "95.00 RON", "growth": "245.00 RON", "enterprise": "495.00 RON"}),
        ("PLN", "month", {"starter": "82.00 PLN", "growth": "210.00 PLN", "enterprise": "425.00 PLN"}),
        ("RSD", "month", {"starter": "2,230.00 RSD", "growth": "5,750.00 RSD", "enterprise": "11,600.00 RSD"}),
        ("USD", "month", {"starter": "21.00 USD", "growth": "54.00 USD", "enterprise": "109.00 USD"}),
        ("EUR", "year", {"starter": "190.00 EUR", "growth": "490.00 EUR", "enterprise": "990.00 EUR"}),
        ("RSD", "year", {"starter": "22,300.00 RSD", "growth": "57,500.00 RSD", "enterprise": "116,000.00 RSD"}),
        ("USD", "year", {"starter": "210.00 USD", "growth": "540.00 USD", "enterprise": "1,090.00 USD"}),
    ],
)
def test_each_plan_shows_its_seat_price_in_the_chosen_currency_and_interval(
    public_client: Client, currency: str, interval: str, prices: dict[str, str]
):
    response = public_client.get(f"/?currency={currency}&interval={interval}")

    assert response.status_code == 200
    html = response.content.decode()
    for key, price in prices.items():
        card = section(html, f"plan-{key}")
        assert f'data-testid="seat-price">{price}<' in card
        per = "per user a year" if interval == "year" else "per user a month"
        assert per in card
        assert f"/signup/?plan={key}&amp;currency={currency}&amp;interval={interval}" in card
    assert ('data-testid="monthly-equivalent"' in html) is (interval == "year")


def test_prices_default_to_euros_per_month_and_unknown_choices_fall_back(public_client: Client):
    for path in ("/", "/?currency=XYZ&interval=week"):
        html = public_client.get(path).content.decode()

        assert 'data-testid="seat-price">19.00 EUR<' in section(html, "plan-starter")
        assert "per user a month" in section(html, "plan-starter")


def test_a_yearly_price_also_says_what_a_month_comes_to(public_client: Client):
    html = public_client.get("/?currency=EUR&interval=year").content.decode()

    assert 'data-testid="monthly-equivalent">15.83 EUR per user a month<' in section(html, "plan-starter")


def test_plans_show_modules_limits_and_trial(public_client: Client):
    html = public_client.get("/").content.decode()

    starter, growth, enterprise = (section(html, f"plan-{key}") for key in ("starter", "growth", "enterprise"))
    assert "Sales" in starter
    assert "Marketing" not in starter
    assert all(module in growth for module in ("Customers", "Activities", "Sales", "Marketing", "Service"))
    assert "Analytics" in enterprise
    assert "Up to 5 users" in starter
    assert "10,000 records" in starter
    assert "1.0\xa0GB of file storage" in starter
    assert "1,000 workflow runs a month" in starter
    assert "Unlimited users" in enterprise
    assert "Unlimited records" in enterprise
    assert "14-day free trial" in starter
    assert "30-day free trial" in enterprise


def test_the_button_asks_for_a_card_only_when_stripe_takes_one(public_client: Client, settings):
    # Without Stripe (the manual provider) every trial starts without a card.
    html = public_client.get("/").content.decode()
    assert "Start free trial" in section(html, "plan-enterprise")
    assert "card required" not in section(html, "plan-enterprise")

    settings.BILLING_PROVIDER = "stripe"
    html = public_client.get("/").content.decode()

    assert "Start with a card" in section(html, "plan-enterprise")
    assert "card required" in section(html, "plan-enterprise")
    assert "Start free trial" in section(html, "plan-starter")


def test_only_public_open_plans_are_offered_in_their_order(public_client: Client):
    Plan.objects.create(key="hidden", name="Hidden plan", is_public=False)
    Plan.objects.create(key="retired", name="Retired plan", is_active=False)
    Plan.objects.filter(key="starter").update(sort_order=99)

    html = public_client.get("/").content.decode()

    assert "Hidden plan" not in html
    assert "Retired plan" not in html
    assert html.index('data-testid="plan-growth"') < html.index('data-testid="plan-starter"')


def test_a_plan_without_a_price_in_the_currency_offers_no_signup(public_client: Client):
    PlanPrice.objects.filter(plan__key="growth", currency="PLN", interval="month").delete()

    card = section(public_client.get("/?currency=PLN").content.decode(), "plan-growth")

    assert "Not offered in PLN" in card
    assert 'data-testid="start-growth"' not in card


def test_the_page_reads_plans_and_prices_in_a_fixed_number_of_queries(
    public_client: Client, django_assert_max_num_queries
):
    for number in range(6):
        plan = Plan.objects.create(key=f"extra-{number}", name=f"Extra {number}", modules=["sales"])
        PlanPrice.objects.create(plan=plan, currency="EUR", interval="month", seat_amount=1000 + number)

    with django_assert_max_num_queries(5):
        response = public_client.get("/")

    assert response.content.decode().count('data-testid="seat-price"') == 9
