"""Every catalogue and reporting page opens for an admin, and the navigation links them."""

from modules.sales.models import PriceList
from modules.sales.services.quotes import add_line, create_quote
from tests.factories import DealFactory, ProductFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_an_admin_opens_every_page(alpha: TenantFixture):
    with alpha.active():
        product = ProductFactory()
        price_list = PriceList.objects.create(name="Retail", currency="EUR")
        deal = DealFactory(owner=alpha.user())
        quote = create_quote(deal=deal, by=None)
        add_line(quote, by=None, product=product)
    client = alpha.client()

    for path in [
        "/products/", "/products/new/", f"/products/{product.pk}/", "/products/price-lists/",
        "/products/price-lists/new/", f"/products/price-lists/{price_list.pk}/", "/quotes/",
        f"/quotes/new/?deal={deal.pk}", f"/quotes/{quote.pk}/", f"/quotes/{quote.pk}/lines/prefill/",
        "/forecast/", "/forecast/?kind=quarter&period=2030-Q2", "/forecast/quotas/?year=2030",
        "/analytics/team-activity/",
    ]:  # fmt: skip
        assert client.get(path).status_code == 200, path


def test_the_navigation_links_products_and_team_activity_to_those_allowed(alpha: TenantFixture):
    admin_page = alpha.client().get("/").content.decode()
    rep_page = alpha.client(REP_EMAIL).get("/").content.decode()

    assert 'href="/products/"' in admin_page
    assert 'href="/products/"' in rep_page
    assert 'href="/forecast/"' not in rep_page
    # team activity is an analysis now: the analytics index lists it for those allowed
    assert 'href="/analytics/team-activity/"' in alpha.client().get("/analytics/").content.decode()
    assert 'href="/analytics/"' not in rep_page


def test_a_quote_without_a_deal_sends_the_user_to_the_deals(alpha: TenantFixture):
    response = alpha.client().get("/quotes/new/")

    assert response.status_code == 302
    assert response["Location"] == "/deals/"
