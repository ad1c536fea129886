"""The account bank transfer invoices are paid into: the operator's, else the environment's when it
is set, else a neutral sentence. A placeholder never reaches a customer."""

from __future__ import annotations

import pytest
from django.core import mail

from billing.bank_details import platform_bank_details, save_bank_details
from billing.emails import invoice_issued_notice, send_notice
from billing.providers.manual import issue_invoice
from tests.billing.usage.conftest import subscribe
from tests.billing.usage.pages import read_page
from tests.tenancy import TenantFixture

PAGE = "/settings/billing/"
NEUTRAL = "Your account manager will send you the payment details for this invoice."
CONSOLE_DETAILS = "Relata Platform SRL\nIBAN RO49 AAAA 1B31 0075 9384 0000"


@pytest.fixture
def nothing_set(settings):
    settings.BILLING_BANK_DETAILS = ""


def customer_texts(alpha: TenantFixture) -> list[str]:
    """The overview, the invoice page and the invoice e-mail of an open bank transfer invoice."""
    invoice = issue_invoice(subscribe(alpha, seats=2))
    client = alpha.client()
    overview = read_page(client.get(PAGE).content).one("bank-details").text
    detail = read_page(client.get(f"{PAGE}invoices/{invoice.pk}/").content).one("bank-details").text
    mail.outbox.clear()
    send_notice(invoice_issued_notice(invoice))
    return [overview, detail, mail.outbox[0].body]


@pytest.mark.usefixtures("nothing_set")
def test_with_no_details_anywhere_the_customer_reads_a_neutral_sentence(alpha: TenantFixture):
    texts = customer_texts(alpha)

    assert platform_bank_details() == ""
    for text in texts:
        assert NEUTRAL in text
        assert "BILLING_BANK_DETAILS" not in text
        assert "IBAN" not in text


def test_the_environment_setting_is_used_only_when_set(alpha: TenantFixture, settings):
    settings.BILLING_BANK_DETAILS = "IBAN DE89 3704 0044 0532 0130 00, Relata GmbH"

    texts = customer_texts(alpha)

    assert all("IBAN DE89 3704 0044 0532 0130 00, Relata GmbH" in text for text in texts)
    assert not any(NEUTRAL in text for text in texts)


def test_the_operators_details_win_over_the_environment_in_pages_and_e_mails(alpha: TenantFixture, settings):
    settings.BILLING_BANK_DETAILS = "IBAN DE89 3704 0044 0532 0130 00, Relata GmbH"
    save_bank_details(CONSOLE_DETAILS, actor="ops@relata.test")

    texts = customer_texts(alpha)

    for text in texts:
        assert "IBAN RO49 AAAA 1B31 0075 9384 0000" in text
        assert "DE89" not in text


def test_the_placeholder_is_not_the_default_any_more(settings):
    from crm_platform.settings import base

    assert "Set BILLING_BANK_DETAILS" not in base.BILLING_BANK_DETAILS
