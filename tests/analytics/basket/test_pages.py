"""The rules page, the thresholds page and the suggestion cards on products, companies and deals:
what they show, who may open them, bad parameters and query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.analytics.basket.models import BasketSettings
from modules.sales.choices import DealStatus
from modules.sales.services.orders import create_order
from modules.sales.services.quotes import add_line, create_quote
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, schema_snapshot


def rule_rows(response) -> list[tuple[list[str], list[str], str]]:
    return [
        ([p.name for p in row.antecedent], [p.name for p in row.consequent], f"{row.rule.confidence:.2f}")
        for row in response.context["page"].rows
    ]


def test_the_page_lists_the_rules_strongest_first_with_the_date_of_the_data(alpha: TenantFixture, mined_alpha):
    response = alpha.client().get("/analytics/basket/")

    assert response.status_code == 200
    rows = rule_rows(response)
    assert rows[0] == (["HK I5"], ["HK I1", "HK I2"], "1.00")  # lift 9/4
    assert len(rows) == 6
    lifts = [row.rule.lift for row in response.context["page"].rows]
    assert lifts == sorted(lifts, reverse=True)
    as_of = response.content.decode()
    assert "Data as of" in as_of
    assert "from 9 orders" in as_of


def test_the_rules_are_filtered_by_product_and_lift_and_sorted(alpha: TenantFixture, mined_alpha):
    client = alpha.client()

    by_product = client.get("/analytics/basket/", {"product": mined_alpha["I4"].pk})
    strong = client.get("/analytics/basket/", {"min_lift": "1.4"})
    ascending = client.get("/analytics/basket/", {"sort": "lift"})

    assert rule_rows(by_product) == [(["HK I4"], ["HK I2"], "1.00")]
    assert {tuple(row[0]) for row in rule_rows(strong)} == {("HK I5",), ("HK I2", "HK I5")}
    assert len(rule_rows(strong)) == 3  # lift 1.5 twice and 2.25
    assert ascending.context["page"].rows[0].rule.lift == pytest.approx(9 / 7)


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_lift", "much"), ("sort", "name"), ("page", "0"), ("product", "x"), ("min_confidence", "101")],
)
def test_a_bad_parameter_is_a_400_naming_it(alpha: TenantFixture, field: str, value: str):
    response = alpha.client().get("/analytics/basket/", {field: value})

    assert response.status_code == 400
    assert field in response.context["form"].errors


@pytest.mark.parametrize("count", [5, 50])
def test_the_page_reads_a_fixed_number_of_queries(
    alpha: TenantFixture, many_rules, django_assert_max_num_queries, count
):
    many_rules(count)
    client = alpha.client()
    client.get("/analytics/basket/")  # warm the session and the caches

    with django_assert_max_num_queries(12):
        response = client.get("/analytics/basket/")

    assert len(response.context["page"].rows) == count


def test_the_thresholds_are_changed_by_a_role_with_analytics_change(
    alpha: TenantFixture, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = alpha.client().post(
            "/analytics/basket/settings/", {"min_support_percent": "2.5", "min_confidence_percent": "60"}
        )

    assert response.status_code == 302
    with alpha.active():
        settings = BasketSettings.objects.get()
    assert (settings.min_support_percent, settings.min_confidence_percent) == (Decimal("2.500"), Decimal("60.00"))
    assert len(callbacks) == 1  # the refresh, queued once committed


def test_bad_thresholds_are_a_400_naming_the_field_and_nothing_is_saved(alpha: TenantFixture):
    response = alpha.client().post(
        "/analytics/basket/settings/", {"min_support_percent": "0", "min_confidence_percent": "120"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"min_support_percent", "min_confidence_percent"}
    with alpha.active():
        assert not BasketSettings.objects.filter(min_confidence_percent=Decimal("120")).exists()


def test_roles_without_the_permissions_are_refused(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    thresholds = rep.post("/analytics/basket/settings/", {"min_support_percent": "5", "min_confidence_percent": "5"})

    assert rep.get("/analytics/basket/").status_code == 200
    assert thresholds.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_without_analytics_view_is_refused_everywhere(alpha: TenantFixture, mined_alpha):
    rep = alpha.client(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=alpha.user(REP_EMAIL))

    for path in (
        "/analytics/basket/",
        f"/analytics/basket/products/{mined_alpha['I1'].pk}/",
        f"/analytics/basket/companies/{company.pk}/",
    ):
        assert rep.get(path).status_code == 403, path


def test_without_sales_in_the_plan_the_analysis_is_not_in_plan(alpha: TenantFixture):
    without_modules(alpha, "sales")

    response = alpha.client().get("/analytics/basket/")

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_the_product_card_shows_what_is_bought_with_it(alpha: TenantFixture, mined_alpha):
    response = alpha.client().get(f"/analytics/basket/products/{mined_alpha['I5'].pk}/")

    assert response.status_code == 200
    shown = [suggestion.product.name for suggestion in response.context["suggestions"]]
    assert sorted(shown) == ["HK I1", "HK I2"]
    product_page = alpha.client().get(f"/products/{mined_alpha['I5'].pk}/").content.decode()
    assert f'hx-get="/analytics/basket/products/{mined_alpha["I5"].pk}/"' in product_page


def test_the_company_card_suggests_what_it_has_not_bought(alpha: TenantFixture, mined_alpha):
    with alpha.active():
        company = CompanyFactory(name="Buys I5 only", owner=alpha.user())
        create_order(by=None, company=company, lines=[{"product": mined_alpha["I5"]}])

    response = alpha.client().get(f"/analytics/basket/companies/{company.pk}/")

    assert response.status_code == 200
    assert sorted(s.product.name for s in response.context["suggestions"]) == ["HK I1", "HK I2"]
    company_page = alpha.client().get(f"/companies/{company.pk}/").content.decode()
    assert f'hx-get="/analytics/basket/companies/{company.pk}/"' in company_page


def test_the_company_card_leaves_out_what_the_company_bought(alpha: TenantFixture, mined_alpha):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        create_order(by=None, company=company, lines=[{"product": mined_alpha["I5"]}, {"product": mined_alpha["I1"]}])

    response = alpha.client().get(f"/analytics/basket/companies/{company.pk}/")

    assert [s.product.name for s in response.context["suggestions"]] == ["HK I2"]


def test_an_open_deal_gets_cross_sell_suggestions_from_its_quote_lines(alpha: TenantFixture, mined_alpha):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        quote = create_quote(deal=deal, by=None)
        add_line(quote, by=None, product=mined_alpha["I4"])

    response = alpha.client().get(f"/analytics/basket/deals/{deal.pk}/")

    assert response.status_code == 200
    assert [s.product.name for s in response.context["suggestions"]] == ["HK I2"]
    assert [p.name for p in response.context["suggestions"][0].because] == ["HK I4"]
    deal_page = alpha.client().get(f"/deals/{deal.pk}/").content.decode()
    assert f'hx-get="/analytics/basket/deals/{deal.pk}/"' in deal_page


def test_a_closed_deal_gets_no_suggestion(alpha: TenantFixture, mined_alpha):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), status=DealStatus.WON)
        add_line(create_quote(deal=deal, by=None), by=None, product=mined_alpha["I4"])

    response = alpha.client().get(f"/analytics/basket/deals/{deal.pk}/")

    assert response.context["suggestions"] == []


def test_records_the_user_may_not_see_are_404(alpha: TenantFixture, mined_alpha):
    grant(alpha, "sales_rep", "analytics.view")
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())  # the admin's: a rep sees own records only
        deal = DealFactory(owner=alpha.user())
    rep = alpha.client(REP_EMAIL)

    assert rep.get(f"/analytics/basket/companies/{company.pk}/").status_code == 404
    assert rep.get(f"/analytics/basket/deals/{deal.pk}/").status_code == 404


def test_another_tenant_cannot_reach_the_cards(alpha: TenantFixture, beta: TenantFixture, mined_alpha):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user())
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/analytics/basket/products/{mined_alpha['I1'].pk}/", {}),
            ("get", f"/analytics/basket/companies/{company.pk}/", {}),
            ("get", f"/analytics/basket/deals/{deal.pk}/", {}),
        ],
    )


@pytest.mark.parametrize("count", [5, 50])
def test_the_cards_read_a_fixed_number_of_queries(
    alpha: TenantFixture, many_rules, django_assert_max_num_queries, count
):
    many_rules(count)
    with alpha.active():
        from modules.analytics.basket.models import BasketRule

        first = BasketRule.objects.order_by("lift").first().antecedent[0]
    client = alpha.client()
    client.get(f"/analytics/basket/products/{first}/")

    with django_assert_max_num_queries(10):
        assert client.get(f"/analytics/basket/products/{first}/").status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_the_company_and_deal_cards_read_a_fixed_number_of_queries(
    alpha: TenantFixture, many_rules, django_assert_max_num_queries, count
):
    many_rules(count)
    with alpha.active():
        from modules.analytics.basket.models import BasketRule
        from modules.sales.models import Product

        antecedents = Product.objects.filter(pk__in=[rule.antecedent[0] for rule in BasketRule.objects.all()])
        company = CompanyFactory(owner=alpha.user())
        create_order(by=None, company=company, lines=[{"product": product} for product in antecedents])
        deal = DealFactory(owner=alpha.user())
        quote = create_quote(deal=deal, by=None)
        for product in antecedents:
            add_line(quote, by=None, product=product)
    client = alpha.client()
    client.get(f"/analytics/basket/companies/{company.pk}/")

    with django_assert_max_num_queries(10):
        company_card = client.get(f"/analytics/basket/companies/{company.pk}/")
    with django_assert_max_num_queries(10):
        deal_card = client.get(f"/analytics/basket/deals/{deal.pk}/")

    assert len(company_card.context["suggestions"]) == 1  # the last rule's consequent, the one not bought
    assert len(deal_card.context["suggestions"]) == 1
