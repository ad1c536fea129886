"""Settings → exchange rates: admins record dated rates; others and other tenants cannot."""

from datetime import date
from decimal import Decimal

from modules.contacts.models import ExchangeRate
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

URL = "/settings/exchange-rates/"


def test_an_admin_records_a_rate_and_sees_it_listed(alpha: TenantFixture) -> None:
    client = alpha.client()

    response = client.post(URL, {"currency": "RON", "rate": "0.2011", "valid_from": "2026-11-01"})

    assert response.status_code == 302
    with alpha.active():
        assert list(ExchangeRate.objects.values_list("currency", "rate", "valid_from")) == [
            ("RON", Decimal("0.20110000"), date(2026, 11, 1))
        ]
    page = client.get(URL).content.decode()
    assert "RON" in page
    assert "0.2011" in page


def test_the_same_day_corrects_the_rate_instead_of_adding_one(alpha: TenantFixture) -> None:
    client = alpha.client()
    client.post(URL, {"currency": "PLN", "rate": "0.23", "valid_from": "2026-11-01"})

    client.post(URL, {"currency": "PLN", "rate": "0.235", "valid_from": "2026-11-01"})

    with alpha.active():
        assert list(ExchangeRate.objects.values_list("rate", flat=True)) == [Decimal("0.23500000")]


def test_bad_rates_are_refused_by_field_and_nothing_is_written(alpha: TenantFixture) -> None:
    client = alpha.client()

    zero = client.post(URL, {"currency": "USD", "rate": "0", "valid_from": "2026-11-01"})
    words = client.post(URL, {"currency": "USD", "rate": "a lot", "valid_from": "2026-11-01"})
    base = client.post(URL, {"currency": "EUR", "rate": "1", "valid_from": "2026-11-01"})  # alpha's base currency

    assert (zero.status_code, words.status_code, base.status_code) == (400, 400, 400)
    assert "rate" in zero.context["form"].errors
    assert "rate" in words.context["form"].errors
    assert "currency" in base.context["form"].errors
    with alpha.active():
        assert not ExchangeRate.objects.exists()


def test_a_sales_rep_cannot_manage_rates(alpha: TenantFixture) -> None:
    client = alpha.client(REP_EMAIL)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"currency": "USD", "rate": "0.9", "valid_from": "2026-11-01"}).status_code == 403
    with alpha.active():
        assert not ExchangeRate.objects.exists()


def test_another_tenant_cannot_delete_a_rate(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        rate = ExchangeRate.objects.create(currency="USD", rate=Decimal("0.92"), valid_from=date(2026, 1, 1))

    assert_cross_tenant_requests_fail(alpha, beta, [("post", f"{URL}{rate.pk}/delete/", {})])
