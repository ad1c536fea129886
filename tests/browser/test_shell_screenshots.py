"""Every page of the shell, at desktop and phone width: it has its heading and nothing sticks out.

Full-page screenshots land in var/screenshots/<page>.png (desktop) and <page>-mobile.png (phone),
for a person to look at; the test itself checks headings and horizontal overflow.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import DESKTOP, MOBILE, SCREENSHOT_DIR, DemoTenant, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

# (file name, path, the page's h1)
SIGNED_IN_PAGES = [
    ("home", "", "Welcome, Dana Admin"),
    ("settings-users", "settings/users/", "Users"),
    ("settings-invitations", "settings/invitations/", "Invitations"),
    ("settings-roles", "settings/roles/", "Roles"),
    ("settings-teams", "settings/teams/", "Teams"),
    ("profile", "account/", "Profile"),
    ("two-factor", "account/two-factor/", "Two-factor authentication"),
]


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, ""), (MOBILE, "-mobile")], ids=["desktop", "mobile"])
def test_shell_pages_fit_the_screen(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, viewport: dict[str, int], suffix: str
) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()
    problems: list[str] = []

    def check(name: str, heading: str) -> None:
        expect(page.locator("h1")).to_have_text(heading)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}{suffix}.png"), full_page=True)
        overflow = horizontal_overflow(page)
        if overflow["scrollWidth"] > overflow["clientWidth"] or overflow["scrollWidth"] > overflow["innerWidth"]:
            problems.append(f"{name}: {overflow}")

    page.goto(f"{demo_tenant.url}login/")
    check("login", "Sign in")
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url)

    for name, path, heading in SIGNED_IN_PAGES:
        response = page.goto(f"{demo_tenant.url}{path}")
        assert response is not None
        assert response.status == 200, f"{name}: HTTP {response.status}"
        check(name, heading)

    assert not problems, "pages wider than the viewport:\n" + "\n".join(problems)
