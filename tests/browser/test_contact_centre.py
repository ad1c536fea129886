"""The contact centre in a real browser: an agent clicks the phone button beside a contact's number
and the provider (the fake Twilio the server talks to) is asked to ring the agent, then the
customer; a customer answers the CSAT survey from the e-mailed link, without signing in. Neither
page trips the Content-Security-Policy."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, ConsoleMessage, expect

from customization.events.models import DomainEvent
from identity.models import User
from modules.activities.models import Activity
from modules.contacts.models import Contact, TimelineEntry
from modules.service.contact_centre.models import AgentPhone, Call, CsatSurvey, TelephonySettings
from modules.service.contact_centre.services.csat import EXPIRY, hash_token, signed_token
from modules.service.models import Case
from modules.service.services.cases import create_case
from tenants.models import Tenant
from tests.browser.conftest import GunicornServer, database_access, sign_in
from tests.service.contact_centre.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
WORKSPACE_NUMBER = "+4930123456789"
AGENT_NUMBER = "+4917612345678"


@dataclass(frozen=True)
class Centre:
    base_url: str
    contact_pk: int
    survey_path: str
    survey_pk: int


@pytest.fixture
def centre(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Centre]:
    """In alpha (committed): telephony set up with the admin's phone, a contact with a number, and
    a solved case's CSAT survey with its link; removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            admin = User.objects.get(email=ADMIN_EMAIL)
            TelephonySettings.objects.all().delete()
            row = TelephonySettings(account_sid=ACCOUNT_SID, numbers=[WORKSPACE_NUMBER])
            row.set_auth_token(AUTH_TOKEN)
            row.save()
            AgentPhone.objects.filter(user=admin).delete()
            AgentPhone.objects.create(user=admin, number=AGENT_NUMBER)
            contact = Contact.objects.create(
                first_name="Dana", last_name=f"Dial {tag}", phone="+49 30 5550 1234", email=f"dana-{tag}@example.test"
            )
            case = create_case(by=admin, subject=f"Printer {tag}", contact=contact, owner=admin)
            raw = secrets.token_urlsafe(32)
            survey = CsatSurvey.objects.create(
                case=case, contact=contact, agent=admin, email=contact.email, token_hash=hash_token(raw),
                expires_at=timezone.now() + EXPIRY,
            )  # fmt: skip
            path = f"/csat/{signed_token(raw)}/"
    yield Centre(gunicorn_server.url("alpha"), contact.pk, path, survey.pk)
    with database_access(django_db_blocker), tenant_context(tenant):
        Call.objects.filter(contact=contact).delete()
        Activity.objects.filter(contact=contact).delete()
        DomainEvent.objects.filter(entity="case", record_id=case.pk).delete()
        TimelineEntry.objects.filter(contact=contact).delete()
        Case.objects.filter(pk=case.pk).delete()
        contact.delete()
        AgentPhone.objects.filter(user=admin).delete()
        TelephonySettings.objects.all().delete()


def _csp_violations(context: BrowserContext) -> list[str]:
    found: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    context.on("console", listen)
    return found


def test_click_to_dial_rings_the_agent_then_the_customer(
    new_context: Callable[..., BrowserContext], centre: Centre, browser_twilio: FakeTwilio, django_db_blocker: Any
) -> None:
    context = new_context()
    violations = _csp_violations(context)
    page = context.new_page()
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    before = len(browser_twilio.of("Calls"))
    sign_in(page, centre.base_url, ADMIN_EMAIL, PASSWORD)
    page.goto(f"{centre.base_url}contacts/{centre.contact_pk}/")

    page.get_by_test_id("call-button").first.get_by_role("button").click()

    expect(page.get_by_text("your phone rings first, then the customer's")).to_be_visible()
    assert page.url.rstrip("/").endswith(f"/contacts/{centre.contact_pk}")
    (request,) = browser_twilio.of("Calls")[before:]
    assert request.params["To"] == AGENT_NUMBER
    assert "+493055501234" in request.params["Twiml"]
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        assert Call.objects.filter(contact_id=centre.contact_pk, direction="outbound").count() == 1
    assert violations == []


def test_a_customer_answers_the_csat_survey_from_the_link(
    new_context: Callable[..., BrowserContext], centre: Centre, django_db_blocker: Any
) -> None:
    context = new_context()
    violations = _csp_violations(context)
    page = context.new_page()
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    page.goto(centre.base_url.rstrip("/") + centre.survey_path)

    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Anything you want to tell us? (optional)").fill("Fixed on the first call.")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_test_id("csat-message")).to_contain_text("Thank you!")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        survey = CsatSurvey.objects.get(pk=centre.survey_pk)
        assert (survey.rating, survey.comment) == (4, "Fixed on the first call.")
    page.goto(centre.base_url.rstrip("/") + centre.survey_path)
    expect(page.get_by_test_id("csat-message")).to_contain_text("already been answered")
    assert violations == []
