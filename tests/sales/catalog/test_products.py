"""Products and price lists: CRUD, SKU uniqueness, permissions, query counts, isolation."""

from decimal import Decimal

import pytest

from modules.sales.models import PriceList, PriceListItem, Product
from tests.factories import ProductFactory
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

PRODUCT = {"name": "Consulting day", "sku": "CONS-1", "unit": "day", "unit_price": "950.00", "currency": "EUR",
           "tax_rate": "19", "description": "On site"}  # fmt: skip


def test_a_catalogue_manager_creates_edits_and_deactivates_a_product(alpha: TenantFixture):
    client = alpha.client()

    created = client.post("/products/new/", PRODUCT)
    with alpha.active():
        product = Product.objects.get(sku="CONS-1")
    edited = client.post(
        f"/products/{product.pk}/", {**PRODUCT, "name": "Consulting day (remote)", "unit_price": "800"}
    )
    deactivated = client.post(f"/products/{product.pk}/active/", {"active": "0"})
    active_list = [p.name for p in client.get("/products/").context["products"]]
    inactive_list = [p.name for p in client.get("/products/?active=inactive").context["products"]]

    assert (created.status_code, edited.status_code, deactivated.status_code) == (302, 302, 302)
    with alpha.active():
        product.refresh_from_db()
    assert (product.name, product.unit_price, product.tax_rate, product.is_active) == (
        "Consulting day (remote)",
        Decimal("800.00"),
        Decimal("19.00"),
        False,
    )
    assert active_list == []
    assert inactive_list == ["Consulting day (remote)"]


def test_a_duplicate_sku_is_refused_on_the_sku_field_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        ProductFactory(sku="CONS-1", name="Existing")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/products/new/", {**PRODUCT, "sku": "cons-1"})

    assert response.status_code == 400
    assert response.context["form"].errors["sku"] == ["A product with the SKU cons-1 already exists."]
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize(
    ("field", "value"), [("unit_price", "-1"), ("tax_rate", "101"), ("currency", "XXX"), ("name", "")]
)
def test_bad_product_values_name_their_field(alpha: TenantFixture, field: str, value: str):
    response = alpha.client().post("/products/new/", {**PRODUCT, field: value})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    with alpha.active():
        assert not Product.objects.exists()


def test_the_product_list_searches_and_filters(alpha: TenantFixture):
    with alpha.active():
        ProductFactory(name="Licence Basic", sku="LIC-B")
        ProductFactory(name="Licence Pro", sku="LIC-P", is_active=False)
        ProductFactory(name="Support", sku="SUP-1")
    client = alpha.client()

    found = client.get("/products/?q=lic&active=all").context["products"]
    active_only = client.get("/products/?q=lic").context["products"]

    assert [p.name for p in found] == ["Licence Basic", "Licence Pro"]
    assert [p.name for p in active_only] == ["Licence Basic"]


@pytest.mark.parametrize("count", [5, 50])
def test_the_product_list_costs_the_same_queries_for_5_and_50(
    alpha: TenantFixture, django_assert_max_num_queries, count: int
):
    with alpha.active():
        ProductFactory.create_batch(count)
    client = alpha.client()

    with django_assert_max_num_queries(7):
        response = client.get("/products/?active=all")

    assert len(response.context["products"]) == count


def test_reps_and_read_only_users_read_the_catalogue_but_cannot_change_it(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")
    with alpha.active():
        product = ProductFactory()
        price_list = PriceList.objects.create(name="Retail", currency="EUR")
    clients = {email: alpha.client(email) for email in (REP_EMAIL, "reader@example.test")}
    before = schema_snapshot(alpha.tenant)
    for email, client in clients.items():
        assert client.get("/products/").status_code == 200
        assert client.get(f"/products/price-lists/{price_list.pk}/").status_code == 200
        for path, data in [
            ("/products/new/", PRODUCT),
            (f"/products/{product.pk}/", PRODUCT),
            (f"/products/{product.pk}/active/", {"active": "0"}),
            ("/products/price-lists/new/", {"name": "X", "currency": "EUR"}),
            (f"/products/price-lists/{price_list.pk}/", {"name": "X", "currency": "EUR"}),
            (f"/products/price-lists/{price_list.pk}/prices/", {"product": product.pk, "unit_price": "1"}),
        ]:
            response = client.post(path, data)
            assert response.status_code == 403, (email, path)
            assert "Sales: products, price lists and quotas" in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_price_list_holds_prices_per_product(alpha: TenantFixture):
    with alpha.active():
        product = ProductFactory(unit_price=Decimal("100.00"))
    client = alpha.client()

    created = client.post("/products/price-lists/new/", {"name": "Partners", "currency": "EUR", "is_active": "on"})
    with alpha.active():
        price_list = PriceList.objects.get(name="Partners")
    first = client.post(f"/products/price-lists/{price_list.pk}/prices/", {"product": product.pk, "unit_price": "80"})
    second = client.post(
        f"/products/price-lists/{price_list.pk}/prices/", {"product": product.pk, "unit_price": "75.5"}
    )
    negative = client.post(
        f"/products/price-lists/{price_list.pk}/prices/", {"product": product.pk, "unit_price": "-1"}
    )
    currency_change = client.post(f"/products/price-lists/{price_list.pk}/", {"name": "Partners", "currency": "RON"})

    assert (created.status_code, first.status_code, second.status_code) == (302, 302, 302)
    assert negative.status_code == 400
    assert list(negative.context["item_form"].errors) == ["unit_price"]
    assert currency_change.status_code == 400
    assert currency_change.context["form"].errors["currency"] == [
        "The currency of a price list with prices cannot change."
    ]
    with alpha.active():
        assert list(PriceListItem.objects.values_list("price_list__name", "unit_price")) == [
            ("Partners", Decimal("75.50"))
        ]
        item = PriceListItem.objects.get()
    removed = client.post(f"/products/price-lists/{price_list.pk}/prices/{item.pk}/delete/")
    assert removed.status_code == 302
    with alpha.active():
        assert not PriceListItem.objects.exists()


def test_sales_disabled_refuses_the_catalogue_as_not_in_the_plan(alpha: TenantFixture, sales_disabled: None):
    client = alpha.client()

    assert client.get("/products/").status_code == 403
    assert client.get("/products/price-lists/").status_code == 403
    assert client.post("/products/new/", PRODUCT).status_code == 403
    with alpha.active():
        assert not Product.objects.filter(sku=PRODUCT["sku"]).exists()


def test_another_tenant_cannot_reach_products_or_price_lists(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        product = ProductFactory(sku="ONLY-ALPHA")
        price_list = PriceList.objects.create(name="Alpha list", currency="EUR")
        item = PriceListItem.objects.create(price_list=price_list, product=product, unit_price=Decimal("1.00"))
    with beta.active():
        assert not Product.objects.filter(pk=product.pk).exists()
        assert not PriceList.objects.filter(pk=price_list.pk).exists()

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/products/{product.pk}/", {}),
            ("post", f"/products/{product.pk}/", PRODUCT),
            ("post", f"/products/{product.pk}/active/", {"active": "0"}),
            ("get", f"/products/price-lists/{price_list.pk}/", {}),
            ("post", f"/products/price-lists/{price_list.pk}/", {"name": "X", "currency": "EUR"}),
            ("post", f"/products/price-lists/{price_list.pk}/prices/", {"product": product.pk, "unit_price": "2"}),
            ("post", f"/products/price-lists/{price_list.pk}/prices/{item.pk}/delete/", {}),
        ],
    )
