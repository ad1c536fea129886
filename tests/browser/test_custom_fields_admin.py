"""Settings → Custom fields in a real browser: a select field is added with the options editor and
its index is built by the worker (CREATE INDEX CONCURRENTLY, outside any test transaction); a text
field is converted to a number after a dry run; fields are dragged; an archived field is deleted
for good. Screenshots land in /tmp/shots/custom-fields-*.png for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from customization.fields.models import CustomFieldDefinition
from customization.fields.services import archive_definition, create_definition, purge_definition
from modules.contacts.models import Contact
from tenants.models import Tenant
from tests.browser.conftest import (
    MOBILE,
    GunicornServer,
    components_ready,
    database_access,
    horizontal_overflow,
    sign_in,
)
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots
KEYS = ("bt_territory", "bt_employees", "bt_badge")


@dataclass(frozen=True)
class Setup:
    base_url: str
    tenant: Tenant
    contact_ids: tuple[int, int]


@pytest.fixture
def setup(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Setup]:
    """In alpha (committed): a text field "Employees" held by two contacts ("42" and "lots") and a
    field "Badge"; every field and contact of the test is removed afterwards, indexes included."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            create_definition(by=None, entity="contact", key="bt_employees", label="Employees", field_type="text")
            create_definition(by=None, entity="contact", key="bt_badge", label="Badge", field_type="text")
            good = Contact.objects.create(last_name="Browser Good", custom={"bt_employees": "42"})
            bad = Contact.objects.create(last_name="Browser Bad", custom={"bt_employees": "lots"})
    yield Setup(gunicorn_server.url("alpha"), tenant, (good.pk, bad.pk))
    with database_access(django_db_blocker), tenant_context(tenant):
        Contact.objects.filter(pk__in=(good.pk, bad.pk)).delete()
        for definition in CustomFieldDefinition.objects.filter(key__in=KEYS):
            archive_definition(definition, by=None)
            purge_definition(definition, by=None)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"custom-fields-{name}.png"), full_page=True)


def _in_alpha(django_db_blocker: Any, setup: Setup, query: Any) -> Any:
    with database_access(django_db_blocker), tenant_context(setup.tenant):
        return query()


def _index_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = %s AND n.nspname = 'alpha'",
            [name],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def test_an_admin_shapes_the_contact_fields(page: Page, setup: Setup, django_db_blocker: Any) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, setup.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(setup.base_url)
    page.goto(f"{setup.base_url}settings/fields/?entity=contact")
    expect(page.locator("h1")).to_have_text("Custom fields")
    expect(page.get_by_test_id("field-label")).to_have_text(["Employees", "Badge"])

    # A single select with two options, indexed.
    page.get_by_test_id("add-field").click()
    page.wait_for_url("**/settings/fields/new/**")
    components_ready(page)
    page.get_by_label("Label", exact=True).fill("Territory")
    page.get_by_label("Key").fill("bt_territory")
    page.get_by_label("Type").select_option("single_select")
    expect(page.get_by_test_id("option-row")).to_have_count(1)
    page.get_by_label("Value of option 1").fill("north")
    page.get_by_label("Label of option 1").fill("North")
    page.get_by_test_id("add-option").click()
    page.get_by_label("Value of option 2").fill("south")
    page.get_by_label("Label of option 2").fill("South")
    page.get_by_label("Română").fill("Teritoriu")
    page.get_by_label("Indexed: lists filter and sort by it fast").check()
    expect(page.get_by_label("Default currency")).to_be_hidden()
    _shot(page, "create")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_test_id("field-label")).to_have_text(["Employees", "Badge", "Territory"])
    _shot(page, "list-building")

    # The worker builds the index concurrently; the list shows it ready.
    row = page.locator("tr[data-testid=field-row]", has_text="Territory")
    for _attempt in range(20):
        if "Index ready" in row.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(row.get_by_test_id("index-state")).to_have_text("Index ready")
    assert _in_alpha(django_db_blocker, setup, lambda: _index_exists("cf_contact_bt_territory"))
    _shot(page, "list")

    # Territory is dragged above Employees.
    handle = row.locator(".drag-handle")
    target = page.locator("tr[data-testid=field-row]", has_text="Employees")
    with page.expect_response(lambda response: response.url.endswith("/reorder/contact/")) as reorder:
        handle.hover()
        page.mouse.down()
        box = target.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.25, steps=15)
        page.mouse.up()
    assert reorder.value.status == 200
    page.reload()
    expect(page.get_by_test_id("field-label")).to_have_text(["Territory", "Employees", "Badge"])

    # Employees becomes a number: the dry run lists the value that does not convert.
    page.locator("tr[data-testid=field-row]", has_text="Employees").get_by_role("link", name="Change type").click()
    page.get_by_label("New type").select_option("number")
    page.get_by_role("button", name="Preview the conversion").click()
    expect(page.get_by_test_id("report-failed")).to_have_text("1 value does not convert.")
    expect(page.get_by_test_id("report-failures")).to_contain_text("lots")
    _shot(page, "change-type-report")
    page.get_by_label("Clear the values that cannot be converted").check()
    page.get_by_test_id("confirm-conversion").click()
    expect(page.locator(".alert-success, .toast, [role=status]").first).to_contain_text("Whole number")
    good, bad = setup.contact_ids
    customs = _in_alpha(django_db_blocker, setup, lambda: [Contact.objects.get(pk=pk).custom for pk in (good, bad)])
    assert customs == [{"bt_employees": 42}, {}]

    # Badge is archived, then deleted for good with its key typed.
    page.goto(f"{setup.base_url}settings/fields/?entity=contact")
    page.locator("tr[data-testid=field-row]", has_text="Badge").get_by_test_id("archive").click()
    page.locator("tr[data-testid=archived-row]", has_text="Badge").get_by_role("link", name="Delete for good").click()
    page.get_by_label("Type the field's key to confirm").fill("bt_badge")
    _shot(page, "purge")
    page.get_by_role("button", name="Delete the field and its values").click()
    expect(page.get_by_test_id("archived-row")).to_have_count(0)
    assert not _in_alpha(
        django_db_blocker, setup, lambda: CustomFieldDefinition.objects.filter(key="bt_badge").exists()
    )

    # Removing an option a record uses asks what those records get instead.
    _in_alpha(
        django_db_blocker,
        setup,
        lambda: Contact.objects.filter(pk=good).update(custom={"bt_employees": 42, "bt_territory": "south"}),
    )
    page.locator("tr[data-testid=field-row]", has_text="Territory").get_by_role("link", name="Edit").click()
    expect(page.get_by_test_id("option-row")).to_have_count(2)
    _shot(page, "edit")
    page.get_by_role("button", name="Remove option 2").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("error-options")).to_contain_text("1 record uses a removed option (south)")
    page.get_by_label("Records using a removed option get").select_option("north")
    _shot(page, "edit-replacement")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("field-label")).to_have_text(["Territory", "Employees"])
    stored = _in_alpha(django_db_blocker, setup, lambda: Contact.objects.get(pk=good).custom)
    assert stored == {"bt_employees": 42, "bt_territory": "north"}

    # The list on a phone.
    page.set_viewport_size(MOBILE)
    page.goto(f"{setup.base_url}settings/fields/?entity=contact")
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow
    _shot(page, "list-mobile")
