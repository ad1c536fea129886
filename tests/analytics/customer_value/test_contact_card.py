"""The contact page's customer-value card: the contact's own figures (orders without a company),
its company's with a link, the same permissions as the company card, tenants and query count."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.analytics.customer_value.services import refresh_customer_values
from tests.analytics.customer_value.conftest import buy
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke


def buyer(alpha: TenantFixture, *, own_orders: int = 2, company_orders: int = 3, owner_email: str | None = None):
    """A contact of a company: ``own_orders`` orders of 20.00 without the company, and
    ``company_orders`` of 50.00 placed for the company through the contact."""
    with alpha.active():
        by = alpha.user()
        owner = alpha.user(owner_email) if owner_email else by
        company = CompanyFactory(name="Buyer Co", owner=owner)
        contact = ContactFactory(company=company, owner=owner)
        for n in range(own_orders):
            buy(by, contact=contact, days_ago=30 + n, amount="20.00", owner=owner)
        for n in range(company_orders):
            buy(by, company=company, contact=contact, days_ago=40 + n, amount="50.00", owner=owner)
        refresh_customer_values()
        return contact


def test_the_contact_page_loads_the_card_with_its_own_and_its_companys_value(alpha: TenantFixture):
    contact = buyer(alpha)
    client = alpha.client()

    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    card = client.get(f"/analytics/customer-value/contact/{contact.pk}/")

    assert f'hx-get="/analytics/customer-value/contact/{contact.pk}/"' in page
    assert card.status_code == 200
    assert card.context["value"].historical_value == Decimal("40.00")
    assert card.context["company_value"].historical_value == Decimal("150.00")
    assert card.context["score"] is not None
    assert card.context["company_score"] is not None
    body = card.content.decode()
    assert f'href="/companies/{contact.company_id}/"' in body
    assert "Data as of" in body


def test_a_contact_whose_orders_all_went_to_its_company_shows_the_companys_value(alpha: TenantFixture):
    contact = buyer(alpha, own_orders=0)

    card = alpha.client().get(f"/analytics/customer-value/contact/{contact.pk}/")

    assert card.context["value"] is None
    assert card.context["score"] is None
    assert card.context["company_value"].historical_value == Decimal("150.00")


def test_a_contact_without_orders_gets_no_card(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(), owner=alpha.user())

    page = alpha.client().get(f"/contacts/{contact.pk}/").content.decode()

    assert "customer-value-slot" not in page


def test_the_card_needs_analytics_view_and_sales_view(alpha: TenantFixture):
    contact = buyer(alpha, owner_email=REP_EMAIL)
    client = alpha.client(REP_EMAIL)
    url = f"/analytics/customer-value/contact/{contact.pk}/"

    assert "customer-value-slot" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get(url).status_code == 403

    grant(alpha, "sales_rep", "analytics.view")
    assert "customer-value-slot" in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get(url).status_code == 200

    revoke(alpha, "sales_rep", "sales.view")
    assert "customer-value-slot" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get(url).status_code == 403


def test_a_rep_may_not_open_the_card_of_a_contact_they_may_not_see(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    contact = buyer(alpha)

    assert alpha.client(REP_EMAIL).get(f"/analytics/customer-value/contact/{contact.pk}/").status_code == 404


def test_a_company_the_rep_may_not_see_is_left_out_of_the_card(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    contact = buyer(alpha, owner_email=REP_EMAIL)
    with alpha.active():
        contact.company.owner = alpha.user()
        contact.company.save(update_fields=["owner"])

    card = alpha.client(REP_EMAIL).get(f"/analytics/customer-value/contact/{contact.pk}/")

    assert card.status_code == 200
    assert card.context["company"] is None
    assert "company-card-segment" not in card.content.decode()


def test_without_analytics_in_the_plan_there_is_no_card(alpha: TenantFixture):
    contact = buyer(alpha)
    without_modules(alpha, "analytics")
    client = alpha.client()

    assert "customer-value-slot" not in client.get(f"/contacts/{contact.pk}/").content.decode()
    assert client.get(f"/analytics/customer-value/contact/{contact.pk}/").status_code == 403


def test_the_card_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    contact = buyer(alpha)

    assert_cross_tenant_requests_fail(alpha, beta, [("get", f"/analytics/customer-value/contact/{contact.pk}/", {})])


def test_the_card_takes_the_same_queries_whatever_the_number_of_orders(alpha: TenantFixture):
    few = buyer(alpha, own_orders=1, company_orders=1)
    many = buyer(alpha, own_orders=12, company_orders=12)
    client = alpha.client()
    counts = []
    for contact in (few, many):
        client.get(f"/analytics/customer-value/contact/{contact.pk}/")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/analytics/customer-value/contact/{contact.pk}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
