"""The record lists in a browser: a rep bulk-assigns 50 contacts to a teammate, and every list on
the list framework at desktop (1440×900) and phone (390×844) width, with the filters folded away on
the phone. Screenshots land in /tmp/shots/lists-*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")  # noqa: S108 - where the screenshots are looked at
WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
REP_PASSWORD = "story-rep-password-4471"


@pytest.fixture
def team_of_two(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A rep and a teammate who see their team's records, and 50 contacts of the rep."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            sales_rep = Role.objects.get(key="sales_rep")
            role = Role.objects.create(key="story_team_rep", name="Story team rep",
                                       permissions=sales_rep.permissions, record_visibility="team")  # fmt: skip
            team = Team.objects.create(name="Story bulk team")
            rep = create_user(email="story.rep@demo.example", password=REP_PASSWORD, full_name="Rhea Rep",
                              role=role, teams=[team])  # fmt: skip
            mate = create_user(email="story.mate@demo.example", password=REP_PASSWORD, full_name="Mats Mate",
                               role=role, teams=[team])  # fmt: skip
            contacts = [
                create_contact(by=rep, allow_duplicate=True, first_name=f"Person{index:02}", last_name="Bulkstory",
                               owner=rep)
                for index in range(50)
            ]  # fmt: skip
    yield {"rep": rep, "mate": mate, "contacts": [contact.pk for contact in contacts]}
    with database_access(django_db_blocker), tenant_context(tenant):
        Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).delete()
        User.objects.filter(pk__in=[rep.pk, mate.pk]).delete()
        team.delete()
        role.delete()


def test_a_rep_bulk_assigns_50_contacts_to_a_teammate(
    new_context: Callable[..., BrowserContext],
    demo_tenant: DemoTenant,
    team_of_two: dict[str, Any],
    django_db_blocker: Any,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=WIDE).new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, "story.rep@demo.example", REP_PASSWORD)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}contacts/?q=Bulkstory")
    table = page.get_by_test_id("record-table")
    expect(table.locator("input[name=ids]")).to_have_count(50)
    expect(page.get_by_test_id("list-count")).to_have_text("50")
    table.get_by_label("Select all").check()
    bulk = page.get_by_test_id("bulk-actions")
    expect(bulk).to_contain_text("50 selected")
    bulk.locator("select[name=action]").select_option("assign_owner")
    bulk.locator("select[name=owner]").select_option(str(team_of_two["mate"].pk))
    page.screenshot(path=str(SHOTS / "lists-bulk-assign.png"), full_page=False)
    bulk.get_by_test_id("bulk-apply").click()

    expect(page.get_by_role("alert").filter(has_text="50 records changed.")).to_be_visible()
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        owners = set(Contact.objects.filter(pk__in=team_of_two["contacts"]).values_list("owner_id", flat=True))
    assert owners == {team_of_two["mate"].pk}


LISTS = ["companies/", "contacts/", "leads/", "deals/", "products/", "quotes/", "orders/", "activities/"]


@pytest.mark.parametrize(("viewport", "suffix"), [(WIDE, "wide"), (PHONE, "phone")], ids=["wide", "phone"])
def test_every_list_fits_and_folds_its_filters_on_a_phone(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, viewport: dict[str, int], suffix: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=viewport).new_page()
    page.set_default_timeout(30_000)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    for path in LISTS:
        page.goto(f"{demo_tenant.url}{path}")
        filters = page.get_by_test_id("list-filters")
        if suffix == "phone":
            expect(filters).to_be_hidden()
        page.screenshot(path=str(SHOTS / f"lists-{path.strip('/')}-{suffix}.png"), full_page=False)
        overflow = horizontal_overflow(page)
        assert overflow["scrollWidth"] <= overflow["clientWidth"], (path, overflow)
        if suffix == "phone":
            page.get_by_test_id("toggle-filters").click()
            expect(page.locator("#list-filters.collapse.show")).to_be_visible()  # the slide has ended
            page.screenshot(path=str(SHOTS / f"lists-{path.strip('/')}-phone-filters.png"), full_page=False)
        expect(filters).to_be_visible()
