"""A marketer builds a dynamic segment with a custom-field rule on the builder page, writes a
marketing e-mail to it and sends it; the session's real Celery worker delivers it through the
workspace's own SMTP settings to a real SMTP server the test starts. The test then opens the
message's tracking pixel and its tracked link, as a mail client and a reader would, and the
marketer sees the open and the click on the send's report page (screenshot kept). Last, the message
left unconfirmed (as a worker that died during its hand-over leaves it): the marketer lists it and
sends it again."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from customization.fields.models import CustomFieldDefinition
from customization.fields.services import archive_definition, create_definition, purge_definition
from modules.contacts.models import Contact
from modules.marketing.delivery.models import DeliverySettings, Recipient
from modules.marketing.email.models import SendingDomain, SendingSettings
from modules.marketing.models import MarketingEmail, Segment
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, components_ready, database_access, sign_in
from tests.factories import ContactFactory
from tests.mail_server import HOST, MailServer
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SEGMENT = "Northern readers"
EMAIL = "Northern news"
SENDER_DOMAIN = "news.alpha-browser.example"
OFFER = "https://example.com/northern-offer"


def _alpha() -> Any:
    return tenant_context(Tenant.objects.get(slug="alpha"))


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alpha_url(gunicorn_server: GunicornServer, mail_server: MailServer, django_db_blocker: Any) -> Iterator[str]:
    """Alpha sends its marketing e-mail through its own SMTP server (the test's), from a verified
    domain, without a rate any test waits for; two contacts differ by a custom field."""
    with database_access(django_db_blocker), _alpha():
        create_definition(entity="contact", key="territory", label="Territory", field_type="text", by=None)
        ContactFactory(first_name="Nora", last_name="North", email="nora@north.example", custom={"territory": "North"})
        ContactFactory(first_name="Sam", last_name="South", email="sam@south.example", custom={"territory": "South"})
        SendingSettings.objects.all().delete()
        SendingSettings.objects.create(
            method="smtp", smtp_host=HOST, smtp_port=mail_server.port, smtp_security="none",
            postal_address="1 Test Street, Testville",
        )  # fmt: skip
        SendingDomain.objects.create(domain=SENDER_DOMAIN, verified_at=timezone.now())
        DeliverySettings.objects.all().delete()
        DeliverySettings.objects.create(messages_per_minute=100_000)
    yield gunicorn_server.url("alpha")
    with database_access(django_db_blocker), _alpha():
        MarketingEmail.objects.filter(name=EMAIL).delete()
        Segment.objects.filter(name=SEGMENT).delete()
        Contact.objects.filter(email__in=["nora@north.example", "sam@south.example"]).delete()
        for definition in CustomFieldDefinition.objects.filter(entity="contact", key="territory"):
            purge_definition(archive_definition(definition, by=None), by=None)
        SendingSettings.objects.all().delete()
        SendingDomain.objects.filter(domain=SENDER_DOMAIN).delete()
        DeliverySettings.objects.all().delete()


def _received(server: MailServer, timeout: float = 180, count: int = 1) -> EmailMessage:
    """The ``count``-th message the server received."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(server.messages) >= count:
            return server.messages[count - 1]
        time.sleep(0.25)
    raise AssertionError("the worker delivered no message to the SMTP server")


def _members_built(django_db_blocker: Any, timeout: float = 180) -> int:
    """The segment's id once the worker's rebuild has put its member in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database_access(django_db_blocker), _alpha():
            segment = Segment.objects.get(name=SEGMENT)
            if segment.memberships.exists():
                return int(segment.pk)
        time.sleep(0.25)
    raise AssertionError("the segment was not rebuilt")


def test_a_marketer_sends_to_a_custom_field_segment_and_sees_opens_and_clicks(
    page: Page, alpha_url: str, mail_server: MailServer, django_db_blocker: Any
) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())  # "Send this e-mail to its segment now?"
    sign_in(page, alpha_url, ADMIN_EMAIL, PASSWORD)

    # The segment: contacts whose Region is North.
    page.goto(f"{alpha_url}marketing/segments/new/")
    components_ready(page)
    page.locator("input[name=name]").fill(SEGMENT)
    page.get_by_test_id("add-condition").click()
    condition = page.get_by_test_id("segment-condition")
    condition.get_by_test_id("condition-field").select_option("custom.territory")
    condition.get_by_test_id("condition-op").select_option("eq")
    condition.get_by_test_id("condition-value").fill("North")
    expect(page.get_by_test_id("segment-count")).to_have_text("1", timeout=SLOW_MACHINE_TIMEOUT)
    expect(page.get_by_test_id("segment-preview")).to_contain_text("Nora")
    page.get_by_test_id("save-segment").click()
    page.wait_for_url(re.compile(r".*/marketing/segments/\d+/$"))
    segment_id = _members_built(django_db_blocker)

    # The e-mail, with a link, to that segment.
    page.goto(f"{alpha_url}marketing/emails/new/")
    components_ready(page)
    page.locator("#id_name").fill(EMAIL)
    page.locator("#id_subject").fill("News for {{ contact.first_name }}")
    page.locator("#id_from_name").fill("Alpha News")
    page.locator("#id_from_address").fill(f"hello@{SENDER_DOMAIN}")
    page.locator("#id_segment").select_option(str(segment_id))
    page.get_by_test_id("new-block-type").select_option("text")
    page.get_by_test_id("add-block").click()
    page.get_by_test_id("block-text-html").fill(
        f'<p>Hello {{{{ contact.first_name }}}}, <a href="{OFFER}">see the northern offer</a>.</p>'
    )
    page.get_by_test_id("save-email").click()
    page.wait_for_url(re.compile(r".*/marketing/emails/\d+/$"))
    with database_access(django_db_blocker), _alpha():
        email_id = MarketingEmail.objects.get(name=EMAIL).pk

    # Send it; the worker hands it to the SMTP server.
    report_url = f"{alpha_url}marketing/delivery/emails/{email_id}/"
    page.goto(report_url)
    page.get_by_test_id("send-now").click()
    page.wait_for_url(report_url)
    message = _received(mail_server)
    assert "nora@north.example" in str(message["To"])
    assert message["Subject"] == "News for Nora"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    pixel = re.search(r"/m/o/[^\"'\s<>]+/", html)
    link = re.search(r"/m/c/[^\"'\s<>]+/", html)
    assert pixel is not None, html
    assert link is not None, html

    # The reader's mail client loads the pixel; the reader clicks the link (the offer's site is
    # answered by the browser itself: the test has no network).
    page.route(f"{OFFER}*", lambda route: route.fulfill(status=200, content_type="text/plain", body="Offer"))
    opened = page.goto(f"{alpha_url.rstrip('/')}{pixel.group(0)}")
    assert opened is not None
    assert (opened.status, opened.headers["content-type"]) == (200, "image/gif")
    landed = page.goto(f"{alpha_url.rstrip('/')}{link.group(0)}")
    assert landed is not None
    assert page.url == OFFER  # through the signed redirect

    # The marketer sees both on the report.
    page.goto(report_url)
    expect(page.get_by_test_id("figure-sent")).to_have_text("1")
    expect(page.get_by_test_id("figure-opens")).to_contain_text("1 (1")
    expect(page.get_by_test_id("figure-clicks")).to_contain_text("1 (1")
    expect(page.get_by_test_id("link-clicks")).to_contain_text(OFFER)
    expect(page.get_by_test_id("recipients")).to_contain_text("nora@north.example")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "marketing-send-report.png"), full_page=True)
    with database_access(django_db_blocker), _alpha():
        recipient = Recipient.objects.get(email_id=email_id)
        assert (recipient.opens, recipient.clicks, recipient.state) == (1, 1, "sent")
        assert not Recipient.objects.filter(email_id=email_id, address="sam@south.example").exists()

    # A worker died while handing the message over (as recovery leaves it): the marketer sees it
    # unconfirmed, lists it, and sends it again; the server gets it with the same Message-ID.
    with database_access(django_db_blocker), _alpha():
        Recipient.objects.filter(pk=recipient.pk).update(state="unconfirmed", claimed_at=timezone.now())
    page.goto(report_url)
    expect(page.get_by_test_id("figure-unconfirmed")).to_have_text("1")
    page.get_by_test_id("unconfirmed-list").click()
    expect(page.get_by_test_id("recipients")).to_contain_text("nora@north.example")
    expect(page.get_by_test_id("recipients")).to_contain_text("Unconfirmed")
    page.screenshot(path=str(SCREENSHOT_DIR / "marketing-send-unconfirmed.png"), full_page=True)
    page.get_by_test_id("send-unconfirmed").click()  # the confirmation is accepted above
    page.wait_for_url(report_url)
    expect(page.get_by_test_id("unconfirmed")).to_have_count(0)
    again = _received(mail_server, count=2)
    assert str(again["Message-ID"]) == str(message["Message-ID"])
    page.reload()
    expect(page.get_by_test_id("figure-sent")).to_have_text("1")
    assert [error for error in errors if "Content Security Policy" in error or "Alpine" in error] == []
