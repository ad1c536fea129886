"""Console → Billing → Payment details: the operator sets the account customers pay into; the
console warns while there is none; nobody else reaches the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from billing.bank_details import platform_bank_details
from billing.models import PlatformSettings
from identity.models import AuditEntry
from tests.tenancy import TenantFixture

PAGE = "/console/billing/payment-details/"


@pytest.fixture
def nothing_set(settings):
    settings.BILLING_BANK_DETAILS = ""


@pytest.mark.usefixtures("nothing_set")
def test_the_console_warns_while_no_details_are_set_and_the_operator_sets_them(operator_client: Client):
    overview = operator_client.get("/console/billing/").content.decode()
    invoices = operator_client.get("/console/billing/invoices/").content.decode()

    response = operator_client.post(
        PAGE, {"bank_details": "  Relata Platform SRL\nIBAN RO49 AAAA 1B31 0075 9384 0000 "}
    )

    assert 'data-testid="bank-details-missing"' in overview
    assert 'data-testid="bank-details-missing"' in invoices
    assert response.status_code == 302
    assert platform_bank_details() == "Relata Platform SRL\nIBAN RO49 AAAA 1B31 0075 9384 0000"
    with schema_context("public"):
        entry = AuditEntry.objects.get(action="billing.bank_details_changed")
    assert entry.actor == "ops@relata.test"
    after = operator_client.get("/console/billing/").content.decode()
    assert 'data-testid="bank-details-missing"' not in after
    page = operator_client.get(PAGE).content.decode()
    assert "IBAN RO49 AAAA 1B31 0075 9384 0000" in page


def test_the_page_says_when_customers_see_the_environments_details(operator_client: Client, settings):
    settings.BILLING_BANK_DETAILS = "IBAN DE89 3704 0044 0532 0130 00"

    page = operator_client.get(PAGE).content.decode()

    assert 'data-testid="bank-details-from-environment"' in page
    assert 'data-testid="bank-details-missing"' not in page


@pytest.mark.parametrize(
    ("value", "message"),
    [("IBAN\x00RO49", "Null characters"), ("IBAN\x07RO49", "control character"), ("x" * 2001, "at most 2000")],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(operator_client: Client, value, message):
    response = operator_client.post(PAGE, {"bank_details": value})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_bank_details-errors"' in page
    assert message in page
    with schema_context("public"):
        assert not PlatformSettings.objects.exists()


def test_nobody_but_an_operator_reaches_the_page(alpha: TenantFixture, db: None):
    anonymous = Client(HTTP_HOST="localhost")
    on_tenant_host = alpha.client()

    assert anonymous.get(PAGE).status_code == 302
    assert anonymous.post(PAGE, {"bank_details": "Mine"}).status_code == 302
    assert on_tenant_host.get(PAGE).status_code == 404
    assert on_tenant_host.post(PAGE, {"bank_details": "Mine"}).status_code == 404
    with schema_context("public"):
        assert not PlatformSettings.objects.exists()
