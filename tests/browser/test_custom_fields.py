"""Custom fields in a browser: the admin sets a custom single-select on a contact through the
contact form, sees it on the record page, and filters the contact list by it.

The definition is created in the test's setup through the model (the settings page that manages
definitions has tests of its own). Screenshots land in /tmp/shots/custom-fields-*.png."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, expect

from customization.fields.models import CustomFieldDefinition
from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")  # noqa: S108 - where the screenshots are looked at


@pytest.fixture
def tiers(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """A contact single-select "Story tier" and two contacts, one already "Silver"; removed afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            admin = User.objects.get(email=demo_tenant.admin_email)
            definition = CustomFieldDefinition.objects.create(
                entity="contact", key="story_tier", label="Story tier", field_type="single_select",
                options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
                section="Segmentation", help_text="How much attention the account gets.",
            )  # fmt: skip
            gwen = create_contact(by=admin, allow_duplicate=True, first_name="Gwen", last_name="Goldberg-Story")
            sid = create_contact(
                by=admin, allow_duplicate=True, first_name="Sid", last_name="Silverman-Story",
                custom={"story_tier": "silver"},
            )  # fmt: skip
    yield {"gwen": gwen.pk, "sid": sid.pk}
    with database_access(django_db_blocker), tenant_context(tenant):
        Contact.objects.filter(pk__in=[gwen.pk, sid.pk]).delete()
        definition.delete()


def test_the_admin_sets_a_custom_select_on_a_contact_and_filters_the_list_by_it(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, tiers: dict[str, int]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context().new_page()
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    # The edit form shows the field in its section with its help text; choose "Gold" and save.
    page.goto(f"{demo_tenant.url}contacts/{tiers['gwen']}/edit/")
    section = page.get_by_test_id("custom-fields-segmentation")
    expect(section).to_contain_text("Story tier")
    expect(section).to_contain_text("How much attention the account gets.")
    page.get_by_label("Story tier").select_option("gold")
    page.screenshot(path=str(SHOTS / "custom-fields-form.png"), full_page=True)
    page.get_by_role("button", name="Save").click()

    # The record page lists the value by its label.
    expect(page).to_have_url(f"{demo_tenant.url}contacts/{tiers['gwen']}/")
    expect(page.get_by_test_id("custom-story_tier")).to_have_text("Gold")
    page.screenshot(path=str(SHOTS / "custom-fields-record.png"), full_page=True)

    # The list: add a filter "Story tier is gold" and show the field as a column.
    page.goto(f"{demo_tenant.url}contacts/?columns=story_tier")
    add_filter = page.get_by_test_id("add-filter")
    add_filter.locator("select[name=cf_field]").select_option("story_tier")
    add_filter.locator("select[name=cf_op]").select_option("eq")
    add_filter.locator("input[name=cf_value]").fill("gold")
    add_filter.get_by_role("button", name="Add filter").click()

    expect(page).to_have_url(f"{demo_tenant.url}contacts/?columns=story_tier&cf.story_tier=gold")
    rows = page.get_by_test_id("record-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Gwen Goldberg-Story")
    expect(rows.first.locator("td[data-cf=story_tier]")).to_have_text("Gold")
    expect(page.get_by_test_id("custom-filter")).to_contain_text("Story tier is Gold")
    page.screenshot(path=str(SHOTS / "custom-fields-filtered-list.png"), full_page=True)
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["clientWidth"]


@pytest.fixture
def deal_fields(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[None]:
    """Deal fields of the widget families that need more than one input; removed afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="demo")
        with tenant_context(tenant):
            definitions = [
                CustomFieldDefinition.objects.create(
                    entity="deal", key="story_budget", label="Story budget", field_type="money", currency="EUR",
                    section="Commercials",
                ),
                CustomFieldDefinition.objects.create(
                    entity="deal", key="story_channels", label="Story channels", field_type="multi_select",
                    options=[{"value": "web", "label": "Web"}, {"value": "phone", "label": "Phone"}],
                    section="Commercials", position=1,
                ),
                CustomFieldDefinition.objects.create(
                    entity="deal", key="story_kickoff", label="Story kick-off", field_type="datetime", position=2,
                    section="Commercials",
                ),
            ]  # fmt: skip
    yield
    with database_access(django_db_blocker), tenant_context(tenant):
        for definition in definitions:
            definition.delete()


def test_the_deal_form_shows_money_multi_select_and_datetime_widgets(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, deal_fields: None
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context().new_page()
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    sign_in(page, demo_tenant.url, demo_tenant.admin_email, demo_tenant.admin_password)
    expect(page).to_have_url(demo_tenant.url, timeout=30_000)

    page.goto(f"{demo_tenant.url}deals/new/")
    section = page.get_by_test_id("custom-fields-commercials")

    expect(section.locator("input[name=custom_story_budget_0]")).to_have_count(1)
    expect(section.locator("select[name=custom_story_budget_1]")).to_have_value("EUR")
    expect(section.locator("input[type=checkbox][name=custom_story_channels]")).to_have_count(2)
    expect(section.locator("input[type=datetime-local][name=custom_story_kickoff]")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "custom-fields-deal-form.png"), full_page=True)
    page.goto(f"{demo_tenant.url}deals/?columns=story_budget,story_channels")
    expect(page.get_by_test_id("column-cf.story_budget")).to_be_visible()
    page.screenshot(path=str(SHOTS / "custom-fields-deal-list.png"), full_page=True)
