"""A sales rep attaches a collateral item to an e-mail in a real browser (gunicorn as in production,
Chromium): from the library they open the price sheet, pick their contact with the searchable
contact picker (typing part of the name, choosing the suggestion), keep "the file attached" and
send. The customer receives the message with the sheet's current file attached, the contact's
timeline shows it, and the page raised no error and no policy violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import Role, User
from identity.services.accounts import create_user
from modules.contacts.models import Contact, TimelineEntry
from modules.contacts.services.contacts import create_contact
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import create_item, delete_item
from tenants.models import Tenant
from tests.browser.conftest import DEMO_SLUG, DemoTenant, GunicornServer, database_access, sign_in, take_email
from tests.marketing.collateral.conftest import PDF

pytestmark = pytest.mark.browser

REP = "collateral.rep@demo.example"
PASSWORD = "collateral-rep-password-5820"
CUSTOMER = "pia.pickerton@customer.example"


@pytest.fixture
def library(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A rep of the demo's sales role, their contact and a price sheet in the library."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug=DEMO_SLUG)
        with tenant_context(tenant):
            rep = create_user(email=REP, password=PASSWORD, full_name="Cora Collateral",
                              role=Role.objects.get(key="sales_rep"))  # fmt: skip
            contact = create_contact(by=rep, allow_duplicate=True, first_name="Pia", last_name="Pickerton",
                                     email=CUSTOMER, owner=rep)  # fmt: skip
            item = create_item(title="Browser price sheet", category="Pricing",
                               upload=SimpleUploadedFile("price-sheet.pdf", PDF), by=rep)  # fmt: skip
    yield {"contact": contact.pk, "item": item.pk}
    with database_access(django_db_blocker), tenant_context(tenant):
        for leftover in CollateralItem.objects.filter(pk=item.pk):
            delete_item(leftover, by=None)  # type: ignore[arg-type]
        Contact.objects.filter(pk=contact.pk).delete()
        User.objects.filter(pk=rep.pk).delete()


def test_a_rep_picks_a_contact_and_sends_a_collateral_file(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    gunicorn_server: GunicornServer,
    library: dict[str, Any],
    django_db_blocker: Any,
) -> None:
    page = new_context().new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    sign_in(page, demo_tenant.url, REP, PASSWORD)

    page.goto(f"{demo_tenant.url}marketing/collateral/")
    page.get_by_role("link", name="Browser price sheet").click()
    form = page.get_by_test_id("send-to-contact")
    picker = form.get_by_test_id("picker-contact")
    picker.get_by_role("combobox").fill("Pickert")
    choice = picker.get_by_role("option").filter(has_text="Pia Pickerton")
    expect(choice).to_be_visible()
    choice.click()
    expect(picker.get_by_role("combobox")).to_have_value("Pia Pickerton")
    form.locator("input[name=subject]").fill("Our prices, as promised")
    form.locator("textarea[name=body]").fill("Hello {{ record.first_name }},\n\nthe sheet is attached.")
    form.get_by_test_id("send-collateral").click()

    expect(page.get_by_role("alert").filter(has_text="is sent to Pia Pickerton")).to_be_visible()
    message = take_email(gunicorn_server.mail_dir, CUSTOMER)
    assert message["Subject"] == "Our prices, as promised"
    attachments = [(part.get_filename(), part.get_payload(decode=True)) for part in message.iter_attachments()]
    assert attachments == [("price-sheet.pdf", PDF)]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Hello Pia," in body.get_content()
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        assert TimelineEntry.objects.filter(contact_id=library["contact"], kind="collateral_sent").count() == 1
    assert problems == []
