"""REST /api/v1/products/ (catalogue managers write) and /api/v1/quotes/ (drafts, lines, status):
filters, permissions, visibility, tenant isolation and query counts."""

from decimal import Decimal

from identity.models import Role
from modules.sales.models import Product, Quote, QuoteLine
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import CompanyFactory, DealFactory, ProductFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _quote(owner_email: str, alpha: TenantFixture, number: str) -> Quote:
    owner = alpha.user(owner_email)
    with alpha.active():
        deal = DealFactory(owner=owner, company=CompanyFactory(name=f"Customer {number}", owner=owner))
        quote = Quote.objects.create(number=number, deal=deal, company=deal.company, owner=owner, total=Decimal("119"))
        QuoteLine.objects.create(quote=quote, description="Licence", quantity=Decimal("1"), unit_price=Decimal("100"))
    return quote


def test_an_admin_creates_and_retires_a_product(alpha: TenantFixture):
    client = api_client(alpha)

    created = post(
        client, "/api/v1/products/", {"name": "Support plan", "sku": "SUP-1", "unit_price": "49.90", "currency": "EUR"}
    )
    retired = patch(client, f"/api/v1/products/{created.json()['id']}/", {"is_active": False})

    assert created.status_code == 201
    assert (created.json()["unit_price"], created.json()["currency"]) == ("49.90", "EUR")
    assert retired.status_code == 200
    assert retired.json()["is_active"] is False


def test_a_taken_sku_is_a_400_naming_sku_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        ProductFactory(sku="SKU-TAKEN")
        products = Product.objects.count()

    response = post(api_client(alpha), "/api/v1/products/", {"name": "Copy", "sku": "sku-taken", "unit_price": "1"})

    assert response.status_code == 400
    assert field_names(response) == ["sku"]
    with alpha.active():
        assert Product.objects.count() == products


def test_a_rep_reads_the_catalogue_but_cannot_change_it(alpha: TenantFixture):
    with alpha.active():
        product = ProductFactory(name="Widget", unit_price=Decimal("10.00"))
        ProductFactory(name="Gadget", is_active=False)
    client = api_client(alpha, REP_EMAIL)

    active = client.get("/api/v1/products/?is_active=true").json()["results"]
    searched = client.get("/api/v1/products/?search=gadg").json()["results"]
    created = post(client, "/api/v1/products/", {"name": "Mine", "unit_price": "1"})
    changed = patch(client, f"/api/v1/products/{product.pk}/", {"unit_price": "0.01"})

    assert [row["name"] for row in active] == ["Widget"]
    assert [row["name"] for row in searched] == ["Gadget"]
    assert created.status_code == changed.status_code == 403
    with alpha.active():
        product.refresh_from_db()
        assert product.unit_price == Decimal("10.00")
        assert not Product.objects.filter(name="Mine").exists()


def test_quotes_list_with_their_lines_and_a_rep_sees_only_their_own(alpha: TenantFixture):
    own = _quote(REP_EMAIL, alpha, "Q-2026-0001")
    others = _quote("admin@example.test", alpha, "Q-2026-0002")
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/quotes/").json()["results"]
    hidden = client.get(f"/api/v1/quotes/{others.pk}/")
    on_others_deal = post(client, "/api/v1/quotes/", {"deal": others.deal_id})

    assert [row["number"] for row in listed] == ["Q-2026-0001"]
    assert listed[0]["company"]["name"] == "Customer Q-2026-0001"
    assert listed[0]["total"] == "119.00"
    assert [line["description"] for line in listed[0]["lines"]] == ["Licence"]
    assert listed[0]["id"] == own.pk
    assert hidden.status_code == 404
    assert on_others_deal.status_code == 400
    assert field_names(on_others_deal) == ["deal"]
    with alpha.active():
        assert Quote.objects.count() == 2


def test_beta_cannot_reach_alphas_products_or_quotes(alpha: TenantFixture, beta: TenantFixture):
    quote = _quote("admin@example.test", alpha, "Q-2026-0009")
    with alpha.active():
        product = ProductFactory()
        line_id = quote.lines.get().pk
    with beta.active():
        assert not Quote.objects.filter(pk=quote.pk).exists()
        assert not Product.objects.filter(pk=product.pk).exists()

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", f"/api/v1/quotes/{quote.pk}/", {}),
            ("patch", f"/api/v1/quotes/{quote.pk}/", {"notes": "Stolen"}),
            ("post", f"/api/v1/quotes/{quote.pk}/lines/", {"description": "Free", "unit_price": "0"}),
            ("patch", f"/api/v1/quotes/{quote.pk}/lines/{line_id}/", {"description": "X", "unit_price": "1"}),
            ("delete", f"/api/v1/quotes/{quote.pk}/lines/{line_id}/", {}),
            ("post", f"/api/v1/quotes/{quote.pk}/status/", {"status": "sent"}),
            ("get", f"/api/v1/products/{product.pk}/", {}),
            ("patch", f"/api/v1/products/{product.pk}/", {"name": "Stolen"}),
        ],
    )


def test_quotes_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture):
    for number in range(5):
        _quote("admin@example.test", alpha, f"Q-A-{number:03}")
    client = api_client(alpha)

    five, _response = queries_for(client, "/api/v1/quotes/?page_size=5")
    for number in range(5, 50):
        _quote("admin@example.test", alpha, f"Q-A-{number:03}")
    fifty, response = queries_for(client, "/api/v1/quotes/?page_size=50")

    assert len(response.json()["results"]) == 50
    assert five == fifty


def test_a_quote_is_drafted_for_a_deal_priced_by_lines_and_sent(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=rep, company=CompanyFactory(name="Pied Piper", owner=rep), currency="EUR")
        product = ProductFactory(name="Compression licence", unit_price=Decimal("100.00"), tax_rate=Decimal("19.00"))
    client = api_client(alpha, REP_EMAIL)

    created = post(client, "/api/v1/quotes/", {"deal": deal.pk, "discount_percent": "10.00", "notes": "Net 30"})
    quote_id = created.json()["id"]
    with_line = post(client, f"/api/v1/quotes/{quote_id}/lines/", {"product": product.pk, "quantity": "2"})
    line_id = with_line.json()["lines"][0]["id"]
    changed = patch(client, f"/api/v1/quotes/{quote_id}/lines/{line_id}/", {"product": product.pk, "quantity": "3"})
    sent = post(client, f"/api/v1/quotes/{quote_id}/status/", {"status": "sent"})
    edit_after_sending = patch(client, f"/api/v1/quotes/{quote_id}/", {"notes": "Too late"})

    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["company"]["name"], body["owner"]["id"], body["currency"]) == (
        "draft",
        "Pied Piper",
        rep.pk,
        "EUR",
    )
    assert with_line.status_code == 201
    assert with_line.json()["lines"][0]["description"] == "Compression licence"
    assert changed.status_code == 200
    assert changed.json()["lines"][0]["quantity"] == "3.000"
    assert changed.json()["subtotal"] == "300.00"
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    assert edit_after_sending.status_code == 400
    assert field_names(edit_after_sending) == ["status"]
    with alpha.active():
        assert Quote.objects.get(pk=quote_id).notes == "Net 30"


def test_a_bad_discount_is_a_400_naming_it_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        quotes = Quote.objects.count()

    response = post(api_client(alpha), "/api/v1/quotes/", {"deal": deal.pk, "discount_percent": "150"})

    assert response.status_code == 400
    assert field_names(response) == ["discount_percent"]
    with alpha.active():
        assert Quote.objects.count() == quotes


def test_a_line_without_price_or_product_is_a_400_naming_unit_price_and_nothing_is_written(alpha: TenantFixture):
    quote = _quote("admin@example.test", alpha, "Q-2026-0100")
    with alpha.active():
        lines = QuoteLine.objects.count()

    response = post(api_client(alpha), f"/api/v1/quotes/{quote.pk}/lines/", {"description": "Consulting"})

    assert response.status_code == 400
    assert field_names(response) == ["unit_price"]
    with alpha.active():
        assert QuoteLine.objects.count() == lines


def test_sending_a_quote_without_lines_is_a_400_naming_status(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = api_client(alpha)
    quote_id = post(client, "/api/v1/quotes/", {"deal": deal.pk}).json()["id"]

    response = post(client, f"/api/v1/quotes/{quote_id}/status/", {"status": "sent"})

    assert response.status_code == 400
    assert field_names(response) == ["status"]
    with alpha.active():
        assert Quote.objects.get(pk=quote_id).status == "draft"


def test_a_read_only_user_cannot_write_quotes(alpha: TenantFixture):
    quote = _quote("admin@example.test", alpha, "Q-2026-0200")
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        rep.role = Role.objects.get(key="read_only")
        rep.save()
        line_id = quote.lines.get().pk
    client = api_client(alpha, REP_EMAIL)

    read = client.get(f"/api/v1/quotes/{quote.pk}/")
    changed = patch(client, f"/api/v1/quotes/{quote.pk}/", {"notes": "Nope"})
    line = post(client, f"/api/v1/quotes/{quote.pk}/lines/", {"description": "X", "unit_price": "1"})
    removed = client.delete(f"/api/v1/quotes/{quote.pk}/lines/{line_id}/")

    assert read.status_code == 200
    assert changed.status_code == line.status_code == removed.status_code == 403
    with alpha.active():
        assert quote.lines.count() == 1
