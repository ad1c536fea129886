"""The meeting form in the browser: attendees picked among colleagues and contacts or typed as an
address, a colleague's busy time shown for the day picked, a weekly series made with the
recurrence editor; then one occurrence changed and another deleted from the meeting's page.

Screenshots (1280×800) land in var/screenshots/meeting-*.png for a person to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from identity.models import User
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.contacts.models import Contact, TimelineEntry
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL

pytestmark = pytest.mark.browser
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Plan:
    base_url: str
    tenant: Tenant
    marker: str
    start: datetime
    rep_pk: int


@pytest.fixture
def plan(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Plan]:
    """In alpha (committed): a contact to invite and the rep busy at the time to be picked."""
    marker = uuid.uuid4().hex[:6]
    start = (datetime.now(UTC) + timedelta(days=8)).replace(hour=10, minute=0, second=0, microsecond=0)
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            rep = User.objects.get(email=REP_EMAIL)
            Contact.objects.create(first_name="Ana", last_name=f"Pop{marker}", email=f"ana-{marker}@customer.example")
            create_activity(
                by=rep, kind="call", subject=f"Busy {marker}", assignee=rep, due_at=start + timedelta(minutes=30),
                ends_at=start + timedelta(hours=1),
            )  # fmt: skip
    yield Plan(gunicorn_server.url("alpha"), tenant, marker, start, rep.pk)
    with database_access(django_db_blocker), tenant_context(tenant):
        mine = Activity.objects.filter(subject__contains=marker)
        TimelineEntry.objects.filter(activity__in=mine).delete()
        mine.delete()
        contacts = Contact.objects.filter(last_name=f"Pop{marker}")
        TimelineEntry.objects.filter(contact__in=contacts).delete()
        contacts.delete()


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"meeting-{name}.png"), full_page=True)


def test_plan_a_weekly_meeting_with_attendees_then_change_and_delete_occurrences(
    page: Page, plan: Plan, django_db_blocker: Any
) -> None:
    page.set_default_timeout(60_000)  # the shared test machine may be busy (a cold worker's first page)
    page.set_default_navigation_timeout(120_000)
    page.on("dialog", lambda dialog: dialog.accept())
    subject = f"Weekly sync {plan.marker}"
    sign_in(page, plan.base_url, ADMIN_EMAIL, PASSWORD)
    page.goto(f"{plan.base_url}activities/new/?kind=meeting")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Due / starts").fill(plan.start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends", exact=True).fill((plan.start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Due / starts").dispatch_event("change")

    # Attendees: a colleague and a contact from the suggestions, and an address typed in full.
    search = page.get_by_role("combobox", name="Invite someone")
    search.fill("rep@example")
    page.get_by_role("option", name=REP_EMAIL).click()
    search.fill(f"Pop{plan.marker}")
    page.get_by_role("option", name=f"ana-{plan.marker}@customer.example").click()
    search.fill(f"guest-{plan.marker}@elsewhere.example")
    search.press("Enter")
    expect(page.locator("#attendee-chips .attendee-chip")).to_have_count(3)

    # The rep is busy for half of the hour picked: the day's grid says so.
    busy = page.locator(f"[data-busy-user='{plan.rep_pk}']")
    expect(busy).to_have_attribute("data-clash", "true")
    expect(busy.locator(".fb-busy.fb-proposed")).to_have_count(1)

    # Weekly on the start's weekday and two days later, four times.
    page.get_by_label("Repeats", exact=True).select_option("weekly")
    later = DAYS[(plan.start.weekday() + 2) % 7]
    page.locator(f"input[name=repeat_weekdays][value={DAYS[plan.start.weekday()]}]").check()
    page.locator(f"input[name=repeat_weekdays][value={later}]").check()
    page.get_by_label("Repeat ends").select_option("count")
    page.get_by_label("Times", exact=True).fill("4")
    _shot(page, "form")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("h1")).to_contain_text(subject)
    expect(page.get_by_test_id("attendees").locator("[data-attendee]")).to_have_count(4)
    upcoming = page.get_by_test_id("upcoming").locator("[data-occurrence]")
    expect(upcoming).to_have_count(4)
    _shot(page, "series")

    # One occurrence moved an hour later; another deleted.
    upcoming.nth(1).get_by_role("link", name="Edit this occurrence").click()
    page.get_by_label("Subject").fill(f"Weekly sync (moved) {plan.marker}")
    page.get_by_role("button", name="Save this occurrence").click()
    expect(page.get_by_test_id("series-link")).to_contain_text(subject)
    page.get_by_test_id("series-link").get_by_role("link").click()
    expect(upcoming).to_have_count(3)  # the changed one has its own page now
    upcoming.nth(2).get_by_role("button", name="Delete this occurrence").click()
    expect(upcoming).to_have_count(2)
    _shot(page, "after-occurrences")

    with database_access(django_db_blocker), tenant_context(plan.tenant):
        series = Activity.objects.get(subject=subject)
        codes = [day for day in DAYS if day in (DAYS[plan.start.weekday()], later)]
        assert series.rrule == f"FREQ=WEEKLY;BYDAY={','.join(codes)};COUNT=4"
        assert len(series.exdates) == 1
        assert list(series.overrides.values_list("subject", flat=True)) == [f"Weekly sync (moved) {plan.marker}"]
        assert sorted(series.attendees.values_list("email", flat=True)) == sorted(
            [ADMIN_EMAIL, REP_EMAIL, f"ana-{plan.marker}@customer.example", f"guest-{plan.marker}@elsewhere.example"]
        )
