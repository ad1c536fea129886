"""The service desk on a case page in a real browser: a canned response is filled in for the case
and inserted into the reply box, and a colleague who has the same case open sees "X is replying"
while the first agent types."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from customization.events.models import DomainEvent
from identity.models import Role, User
from modules.contacts.models import Contact, TimelineEntry
from modules.service.desk.models import CannedResponse
from modules.service.desk.services.canned import create_canned_response
from modules.service.models import Case
from modules.service.services.cases import create_case
from tenants.models import Tenant
from tests.browser.conftest import GunicornServer, components_ready, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000


@dataclass(frozen=True)
class Desk:
    base_url: str
    case_pk: int
    case_number: str
    canned_title: str
    colleague_email: str
    agent_name: str


@pytest.fixture
def desk(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Desk]:
    """In alpha (committed): a case of a contact named Jo, a shared canned response and a colleague
    of the admin role; removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    colleague_email = f"colleague-{tag}@alpha.example"
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            admin = User.objects.get(email=ADMIN_EMAIL)
            admin_name = str(admin)
            colleague = User.objects.create_user(
                email=colleague_email, password=PASSWORD, role=Role.objects.get(key="admin"), full_name="Cleo Colleague"
            )
            contact = Contact.objects.create(first_name="Jo", last_name=f"Desk {tag}")
            case = create_case(by=admin, subject=f"Desk {tag}", contact=contact, owner=admin)
            canned = create_canned_response(
                by=admin,
                shared=True,
                title=f"Greeting {tag}",
                body="Hello {{ contact.first_name }}, {{ record.number }}",
            )
    yield Desk(gunicorn_server.url("alpha"), case.pk, case.number, canned.title, colleague_email, admin_name)
    with database_access(django_db_blocker), tenant_context(tenant):
        DomainEvent.objects.filter(entity="case", record_id=case.pk).delete()
        TimelineEntry.objects.filter(contact=contact).delete()
        Case.objects.filter(pk=case.pk).delete()
        CannedResponse.objects.filter(pk=canned.pk).delete()
        contact.delete()
        colleague.delete()


def test_a_canned_response_is_inserted_and_a_colleague_sees_the_reply_warning(
    new_context: Callable[..., BrowserContext], desk: Desk
) -> None:
    agent_page = new_context().new_page()
    colleague_page = new_context().new_page()
    for page, email in ((agent_page, ADMIN_EMAIL), (colleague_page, desk.colleague_email)):
        page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
        sign_in(page, desk.base_url, email, PASSWORD)
        expect(page).to_have_url(desk.base_url)
        page.goto(f"{desk.base_url}cases/{desk.case_pk}/")
        components_ready(page)
    reply_box = agent_page.locator("textarea[name=body]")

    agent_page.locator("#canned-response-choice").select_option(label=desk.canned_title)
    agent_page.get_by_test_id("canned-picker").get_by_role("button", name="Insert").click()
    expect(reply_box).to_have_value(f"Hello Jo, {desk.case_number}")
    reply_box.press_sequentially(" and thanks", delay=50)

    warning = colleague_page.get_by_test_id("replying").get_by_role("status")
    expect(warning).to_have_text(f"{desk.agent_name} is replying to this case.", timeout=SLOW_MACHINE_TIMEOUT)
    expect(agent_page.get_by_test_id("replying").get_by_role("status")).to_be_hidden()
