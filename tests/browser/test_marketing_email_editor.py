"""The marketing e-mail editor in a real browser: a marketer adds a heading block, types into it,
sees it in the sandboxed preview, and saves the draft with the block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.marketing.models import MarketingEmail
from tenants.models import Tenant
from tests.browser.conftest import GunicornServer, components_ready, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
NAME = "Browser newsletter"


@pytest.fixture
def alpha_url(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[str]:
    yield gunicorn_server.url("alpha")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        MarketingEmail.objects.filter(name=NAME).delete()


def test_a_marketer_adds_a_block_and_sees_it_in_the_preview(page: Page, alpha_url: str, django_db_blocker: Any) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, alpha_url, ADMIN_EMAIL, PASSWORD)
    page.goto(f"{alpha_url}marketing/emails/new/")
    components_ready(page)

    page.locator("#id_name").fill(NAME)
    page.locator("#id_subject").fill('Hello {{ contact.first_name | default: "reader" }}')
    page.get_by_test_id("new-block-type").select_option("heading")
    page.get_by_test_id("add-block").click()
    page.get_by_test_id("block-heading-text").fill("Spring is here")

    preview = page.frame_locator("iframe[data-testid=preview]")
    expect(preview.locator("body")).to_contain_text("Spring is here", timeout=SLOW_MACHINE_TIMEOUT)
    expect(preview.locator("body")).to_contain_text("Unsubscribe")

    page.get_by_test_id("save-email").click()
    page.wait_for_url(re.compile(r".*/marketing/emails/\d+/$"))
    components_ready(page)
    expect(page.get_by_test_id("block")).to_have_count(1, timeout=SLOW_MACHINE_TIMEOUT)
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        email = MarketingEmail.objects.get(name=NAME)
        assert email.content == [{"type": "heading", "text": "Spring is here", "level": 1, "align": "left"}]
    assert [error for error in errors if "Content Security Policy" in error or "Alpine" in error] == []
