"""The customer portal in a real browser: a customer signs in with the link e-mailed to them, opens
a case; an agent replies from the staff case page (and leaves an internal note); the customer sees
the reply (and receives it by e-mail), never the note. Screenshots (1440×900 and 390×844) land in
/tmp/shots/portal-*.png for a person to look at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from identity.models import AuditEntry
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.service.models import Case
from modules.service.portal.models import PortalUser
from tenants.models import Tenant
from tests.browser.conftest import (
    MOBILE,
    GunicornServer,
    components_ready,
    database_access,
    email_text,
    horizontal_overflow,
    sign_in,
    take_email,
)
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots
DESKTOP_WIDE = {"width": 1440, "height": 900}


@dataclass(frozen=True)
class Setup:
    server: GunicornServer
    tenant: Tenant
    email: str

    @property
    def base_url(self) -> str:
        return self.server.url("alpha")


@pytest.fixture
def setup(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Setup]:
    """A customer of alpha with portal access (committed), removed afterwards with their cases."""
    marker = uuid.uuid4().hex[:8]
    address = f"portal-{marker}@people.example"
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            company = CompanyFactory(name=f"Portal Customer {marker}")
            contact = ContactFactory(company=company, first_name="Ana", last_name="Pop", email=address)
            PortalUser.objects.create(contact=contact, email=address)
    yield Setup(gunicorn_server, tenant, address)
    with database_access(django_db_blocker), tenant_context(tenant):
        Case.objects.filter(contact_id=contact.pk).delete()
        TimelineEntry.objects.filter(contact_id=contact.pk).delete()
        TimelineEntry.objects.filter(company_id=company.pk).delete()
        Contact.objects.filter(pk=contact.pk).delete()
        Company.objects.filter(pk=company.pk).delete()


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)


def test_a_customer_opens_a_case_in_the_portal_and_reads_the_agents_reply(
    new_context: Callable[..., BrowserContext], setup: Setup, django_db_blocker: Any
) -> None:
    customer = new_context(viewport=DESKTOP_WIDE).new_page()
    customer.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    customer.goto(f"{setup.base_url}portal/")
    expect(customer).to_have_url(re.compile(r"/portal/sign-in/"))
    _shot(customer, "sign-in-desktop")
    customer.get_by_test_id("link-form").get_by_label("E-mail").fill(setup.email)
    customer.get_by_role("button", name="Send me a sign-in link").click()
    expect(customer.get_by_test_id("link-sent")).to_contain_text(setup.email)

    link = re.search(r"http://\S+/portal/link/\S+/", email_text(take_email(setup.server.mail_dir, setup.email)))
    assert link is not None
    customer.goto(link.group(0))
    customer.get_by_test_id("use-link").click()
    expect(customer.get_by_test_id("portal-user")).to_have_text(setup.email)
    components_ready(customer)

    customer.get_by_role("link", name="Open a case").first.click()
    customer.get_by_label("Subject").fill("The invoice shows the wrong address")
    customer.get_by_label("Description").fill("Our street moved to number 12 last month.")
    customer.get_by_role("button", name="Send").click()
    expect(customer.get_by_test_id("portal-case-status")).to_be_visible()
    case_path = customer.url.split("/portal/cases/", 1)[1]
    case_id = int(case_path.strip("/"))

    agent = new_context(viewport=DESKTOP_WIDE).new_page()
    agent.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(agent, setup.base_url, ADMIN_EMAIL, PASSWORD)
    agent.goto(f"{setup.base_url}cases/{case_id}/")
    components_ready(agent)
    composer = agent.get_by_test_id("composer")
    composer.get_by_test_id("kind-note").click()
    composer.locator("textarea[name=body]").fill("Check the billing system first.")
    composer.get_by_test_id("send-message").click()
    components_ready(agent)
    composer = agent.get_by_test_id("composer")
    composer.get_by_test_id("kind-reply").click()
    composer.locator("textarea[name=body]").fill("Thank you, the address is corrected on your invoices.")
    composer.get_by_test_id("send-message").click()
    expect(agent.get_by_text("Thank you, the address is corrected")).to_be_visible()

    # The reply also reaches the customer by e-mail (the service's outbound mail).
    reply_mail = take_email(setup.server.mail_dir, setup.email)
    assert "Thank you, the address is corrected" in email_text(reply_mail)

    customer.reload()
    conversation = customer.get_by_test_id("portal-conversation")
    expect(conversation).to_contain_text("Thank you, the address is corrected on your invoices.")
    expect(conversation).not_to_contain_text("billing system")
    _shot(customer, "case-desktop")
    phone = new_context(viewport=MOBILE).new_page()
    phone.context.add_cookies(customer.context.cookies())
    phone.goto(customer.url)
    expect(phone.get_by_test_id("portal-conversation")).to_contain_text("the address is corrected")
    overflow = horizontal_overflow(phone)
    assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow["culprits"]
    _shot(phone, "case-phone")
    phone.goto(f"{setup.base_url}portal/")
    _shot(phone, "home-phone")

    with database_access(django_db_blocker), tenant_context(setup.tenant):
        case = Case.objects.get(pk=case_id)
        assert case.channel == "portal"
        assert list(case.messages.values_list("author_kind", "kind")) == [
            ("customer", "reply"), ("agent", "note"), ("agent", "reply"),
        ]  # fmt: skip
        assert AuditEntry.objects.filter(action="portal.case_opened", target=setup.email).count() == 1
