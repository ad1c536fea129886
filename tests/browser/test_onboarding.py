"""The onboarding journey of the issue, in a real browser against a real server.

An admin signs in, tries another language and back, invites a colleague; the colleague opens the
e-mailed link in a browser of their own, creates an account, signs out and in again. Links that
were used or expired say so clearly; a wrong password does not sign anyone in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Locator, Page, expect

from identity.models import Invitation, Role
from identity.services.invitations import hash_token
from tenants.models import Tenant
from tests.browser.conftest import (
    SCREENSHOT_DIR,
    DemoTenant,
    GunicornServer,
    database_access,
    email_text,
    open_user_menu,
    sign_in,
    sign_out,
    take_email,
)

pytestmark = pytest.mark.browser

NEWBIE_EMAIL = "newbie@demo.example"
NEWBIE_NAME = "Nora Newbie"
NEWBIE_PASSWORD = "purple-otter-lighthouse-42"
LOCALE_SELECT = "[data-testid=locale-switcher] select[name=language]"


def translated(text: str, language: str) -> str:
    """What the project's compiled catalogue makes of ``text`` in ``language``."""
    with translation.override(language):
        return translation.gettext(text)


def nav_home(page: Page) -> Locator:
    return page.locator("#main-nav .navbar-nav .nav-link").first


def test_invited_colleague_joins_and_signs_in_again(
    page: Page, new_context: Callable[..., BrowserContext], gunicorn_server: GunicornServer, demo_tenant: DemoTenant
) -> None:
    base = demo_tenant.url

    # The admin signs in and lands on the home page.
    sign_in(page, base, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(base)
    expect(page.locator("h1")).to_have_text("Welcome, Dana Admin")
    expect(nav_home(page)).to_have_text("Home")

    # French, then English again: the whole shell follows, and the choice is remembered.
    page.select_option(LOCALE_SELECT, "fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(LOCALE_SELECT)).to_have_value("fr")
    french_home = translated("Home", "fr")
    assert french_home != "Home", "locale/fr has no compiled translation of the nav entry “Home”"
    expect(nav_home(page)).to_have_text(french_home)
    expect(page.locator("h1")).to_have_text(translated("Welcome, %(name)s", "fr") % {"name": "Dana Admin"})
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "home-fr.png"), full_page=True)  # for a person to review
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.select_option(LOCALE_SELECT, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_home(page)).to_have_text("Home")
    expect(page.locator("h1")).to_have_text("Welcome, Dana Admin")

    # Settings → Invitations: invite a sales rep.
    open_user_menu(page)
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page).to_have_url(f"{base}settings/users/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Invitations").click()
    expect(page).to_have_url(f"{base}settings/invitations/")
    expect(page.locator("h1")).to_have_text("Invitations")
    page.locator("input[name=email]").fill(NEWBIE_EMAIL)
    page.locator("select[name=role]").select_option(label="Sales rep")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main [role=alert]").first).to_contain_text(f"Invitation sent to {NEWBIE_EMAIL}.")
    row = page.locator("tbody tr", has_text=NEWBIE_EMAIL)
    expect(row).to_contain_text("Sales rep")
    expect(row).to_contain_text("Pending")

    # The e-mail (sent by the Celery worker) carries a one-time link to this tenant's host.
    message = take_email(gunicorn_server.mail_dir, NEWBIE_EMAIL)
    links = re.findall(r"https?://\S+", email_text(message))
    assert len(links) == 1, email_text(message)
    link = links[0]
    assert link.startswith(f"{base}invitations/"), link

    # The colleague opens it in a browser of their own (no cookies) and creates the account.
    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.locator("h1")).to_have_text("Join Demo Company")
    expect(invitee.locator("main")).to_contain_text(NEWBIE_EMAIL)
    invitee.locator("input[name=full_name]").fill(NEWBIE_NAME)
    invitee.locator("input[name=password]").fill(NEWBIE_PASSWORD)
    invitee.locator("input[name=password_confirm]").fill(NEWBIE_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_url(base)
    expect(invitee.locator("h1")).to_have_text(f"Welcome, {NEWBIE_NAME}")
    expect(invitee.get_by_test_id("user-menu")).to_contain_text(NEWBIE_NAME)
    expect(invitee.locator("main")).to_contain_text("Sales rep")

    # Sign out, and back in with the new password.
    sign_out(invitee)
    expect(invitee).to_have_url(f"{base}login/")
    sign_in(invitee, base, NEWBIE_EMAIL, NEWBIE_PASSWORD)
    expect(invitee).to_have_url(base)
    expect(invitee.locator("h1")).to_have_text(f"Welcome, {NEWBIE_NAME}")

    # The link worked once; now it explains itself instead.
    invitee.goto(link)
    expect(invitee.get_by_test_id("invitation-error")).to_contain_text("already been used")

    # The admin sees the invitation accepted.
    page.reload()
    expect(page.locator("tbody tr", has_text=NEWBIE_EMAIL)).to_contain_text("Accepted")


@pytest.fixture
def expired_invitation_token(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[str]:
    """An invitation of the demo tenant that expired yesterday; the raw token for its link."""
    token = secrets.token_urlsafe(32)
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            invitation = Invitation.objects.create(
                email="late@demo.example",
                role=Role.objects.get(key="sales_rep"),
                token_hash=hash_token(token),
                expires_at=timezone.now() - timedelta(days=1),
            )
    yield token
    with database_access(django_db_blocker), tenant_context(tenant):
        Invitation.objects.filter(pk=invitation.pk).delete()


def test_expired_and_unknown_invitation_links_say_why(
    page: Page, demo_tenant: DemoTenant, expired_invitation_token: str
) -> None:
    page.goto(f"{demo_tenant.url}invitations/{expired_invitation_token}/")
    expect(page.locator("h1")).to_have_text("This invitation cannot be used")
    expect(page.get_by_test_id("invitation-error")).to_contain_text("has expired")
    expect(page.locator("input[name=password]")).to_have_count(0)

    page.goto(f"{demo_tenant.url}invitations/not-a-real-token/")
    expect(page.get_by_test_id("invitation-error")).to_contain_text("not valid")


def test_wrong_password_is_refused(page: Page, demo_tenant: DemoTenant) -> None:
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, "not-the-password")
    expect(page).to_have_url(f"{demo_tenant.url}login/")
    expect(page.locator("main [role=alert]")).to_have_text("That e-mail and password do not match an account here.")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # Nothing was signed in: the home page still sends us to the login page.
    page.goto(demo_tenant.url)
    expect(page).to_have_url(re.compile(re.escape(f"{demo_tenant.url}login/") + r"\?next=/$"))
