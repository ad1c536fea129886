"""Cases in a real browser on the demo tenant: a support agent opens the case list, creates a case,
replies to the customer with a file, adds an internal note (shown apart from the reply) and solves
the case. No page error, no policy violation; screenshots of the list and of the case land in
var/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import Role, Team
from identity.services.accounts import ensure_user
from modules.service.models import Case
from modules.service.services.cases import delete_case
from tenants.models import Tenant
from tests.browser.conftest import (
    DEMO_SLUG,
    SCREENSHOT_DIR,
    DemoTenant,
    components_ready,
    database_access,
    horizontal_overflow,
    sign_in,
)

pytestmark = pytest.mark.browser

AGENT_EMAIL = "sofia.marin@demo.example"
SUBJECT = "Browser test: the label printer jams"


def _agent(django_db_blocker: Any, password: str) -> None:
    """The demo's support agent (made here too when the demo tenant predates the service demo)."""
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        agent = ensure_user(
            email=AGENT_EMAIL, role=Role.objects.get(key="support_agent"), full_name="Sofia Marin", password=password
        )
        agent.teams.add(Team.objects.get_or_create(name="Support")[0])
        for case in Case.objects.filter(subject=SUBJECT):  # an earlier run's case
            delete_case(case, by=None)


def test_an_agent_creates_replies_notes_and_solves_a_case(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, django_db_blocker: Any
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    _agent(django_db_blocker, demo_tenant.admin_password)
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
    sign_in(page, demo_tenant.url, AGENT_EMAIL, demo_tenant.admin_password)

    page.goto(f"{demo_tenant.url}cases/")
    expect(page.locator("h1")).to_contain_text("Cases")
    page.get_by_test_id("case-presets").locator("[data-preset=open]").click()
    expect(page.get_by_test_id("case-presets").locator("[data-preset=open]")).to_have_attribute("aria-current", "page")
    page.screenshot(path=str(SCREENSHOT_DIR / "cases.png"), full_page=True)

    page.get_by_test_id("new-case").click()
    components_ready(page)
    page.locator("#id_subject").fill(SUBJECT)
    page.locator("#id_description").fill("Every third label gets stuck under the roller.")
    page.locator("#id_priority").select_option("high")
    page.locator("#id_team").select_option(label="Support")
    page.get_by_test_id("case-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-header")).to_contain_text(SUBJECT)
    expect(page.get_by_test_id("case-status")).to_contain_text("New")

    components_ready(page)
    composer = page.get_by_test_id("composer")
    composer.locator("textarea[name=body]").fill("Please clean the roller with the enclosed guide.")
    composer.locator("input[name=attachments]").set_input_files(
        files=[{"name": "roller-guide.txt", "mimeType": "text/plain", "buffer": b"1. Open the lid\n2. Wipe\n"}]
    )
    composer.get_by_test_id("send-message").click()
    reply = page.locator("[data-kind=reply]").filter(has_text="Please clean the roller")
    expect(reply).to_be_visible()
    expect(reply.get_by_test_id("message-files")).to_contain_text("roller-guide.txt")

    components_ready(page)
    composer.get_by_test_id("kind-note").click()
    composer.locator("textarea[name=body]").fill("Same model failed last month: check the warranty.")
    composer.get_by_test_id("send-message").click()
    note = page.locator("[data-kind=note]").filter(has_text="check the warranty")
    expect(note).to_be_visible()
    expect(note.get_by_test_id("note-label")).to_contain_text("Internal note")

    page.get_by_test_id("solve-case").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("Solved")
    # The suggested articles load into their sidebar slot once the page is shown.
    expect(page.get_by_test_id("knowledge-suggestions")).to_be_visible()
    expect(page.get_by_test_id("knowledge-suggestions-slot")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOT_DIR / "case.png"), full_page=True)
    overflow = horizontal_overflow(page)

    assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow
    assert problems == []
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        case = Case.objects.select_related("status", "team", "owner").get(subject=SUBJECT)
        assert (case.status.category, case.priority, case.team.name) == ("solved", "high", "Support")
        assert case.owner.email == AGENT_EMAIL
        assert case.messages.filter(kind="note").count() == 1
        assert case.messages.get(kind="reply").attachments.get().name == "roller-guide.txt"
