"""The shell, the search page, the audit log and the public home at 1440×900 and 390×844: nothing
sticks out sideways, and on a desktop the top bar is one row. Screenshots land in
var/screenshots/polish-<page>[-mobile].png for a person to look at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import SCREENSHOT_DIR, DemoTenant, GunicornServer, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(("viewport", "suffix"), [(WIDE, ""), (PHONE, "-mobile")], ids=["wide", "phone"])
def test_polished_pages_fit_the_screen(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    gunicorn_server: GunicornServer,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []

    def check(name: str) -> None:
        page.screenshot(path=str(SCREENSHOT_DIR / f"polish-{name}{suffix}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > overflow["clientWidth"]:
            problems.append(f"{name}: {overflow}")

    public = f"http://localhost:{gunicorn_server.port}/"
    page.goto(public)
    expect(page.get_by_test_id("public-sign-in")).to_be_visible()
    check("public-home")
    page.get_by_test_id("public-sign-in").click()
    expect(page.locator("h1")).to_have_text("Sign in to your workspace")
    check("public-sign-in")

    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)
    check("shell")
    if viewport is WIDE:
        # One row: the bar is no taller than its tallest control plus its padding.
        height = page.locator("nav.navbar").first.evaluate("element => element.getBoundingClientRect().height")
        assert height < 70, f"the top bar wraps at 1440 px: {height}px high"

    page.goto(f"{demo_tenant.url}search/?q=altus")
    expect(page.locator("h1")).to_have_text("Search")
    check("search")

    page.goto(f"{demo_tenant.url}settings/audit-log/")
    expect(page.locator("h1")).to_have_text("Audit log")
    expect(page.get_by_test_id("audit-filters")).to_be_visible()
    check("audit-log")

    page.goto(f"{demo_tenant.url}offline/")
    expect(page.locator("h1")).to_have_text("You are offline")
    check("offline")

    assert not problems, "pages wider than the viewport:\n" + "\n".join(problems)
