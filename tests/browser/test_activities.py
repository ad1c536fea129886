"""Activities in the browser: complete one with a follow-up, then move a meeting on the calendar.

Screenshots (1280×800) land in var/screenshots/activities-*.png for a person to look at.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from identity.models import User
from modules.activities.models import Activity, CalendarFeed, Notification
from modules.activities.services.activities import create_activity
from modules.contacts.models import Company, TimelineEntry
from tenants.models import Tenant
from tests.browser.conftest import SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Plan:
    base_url: str
    tenant: Tenant
    marker: str
    call_pk: int
    meeting_pk: int
    meeting_start: datetime


@pytest.fixture
def plan(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Plan]:
    """In alpha (committed): a call to complete and a meeting this week; removed again afterwards."""
    marker = uuid.uuid4().hex[:6]
    today = datetime.now(UTC).date()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    start = datetime(wednesday.year, wednesday.month, wednesday.day, 10, 0, tzinfo=UTC)
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            admin = User.objects.get(email=ADMIN_EMAIL)
            company = Company.objects.create(name=f"Browser Co {marker}")
            call = create_activity(
                by=admin, kind="call", subject=f"Intro call {marker}", company=company,
                due_at=datetime.now(UTC) + timedelta(hours=2),
            )  # fmt: skip
            meeting = create_activity(
                by=admin, kind="meeting", subject=f"Planning {marker}", due_at=start, ends_at=start + timedelta(hours=1)
            )
            # alpha is shared by the session's tests: what earlier ones told the admin is not this test's to count.
            Notification.objects.filter(recipient=admin, read_at__isnull=True).update(read_at=datetime.now(UTC))
            Notification.objects.create(
                recipient=admin, kind="reminder", activity=meeting, title=f"Reminder: Planning {marker}",
                dedupe_key=f"browser:{marker}",
            )  # fmt: skip
    yield Plan(gunicorn_server.url("alpha"), tenant, marker, call.pk, meeting.pk, start)
    with database_access(django_db_blocker), tenant_context(tenant):
        mine = Activity.objects.filter(subject__endswith=marker)
        TimelineEntry.objects.filter(activity__in=mine).delete()
        TimelineEntry.objects.filter(company__name=f"Browser Co {marker}").delete()
        mine.delete()
        Company.objects.filter(name=f"Browser Co {marker}").delete()
        CalendarFeed.objects.filter(user__email=ADMIN_EMAIL).delete()


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"activities-{name}.png"), full_page=True)


def test_complete_with_a_follow_up_then_drag_a_meeting_on_the_calendar(
    page: Page, plan: Plan, django_db_blocker: Any
) -> None:
    follow_up_subject = f"Send proposal {plan.marker}"
    sign_in(page, plan.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(plan.base_url)

    # The list shows the call; open it.
    page.goto(f"{plan.base_url}activities/")
    expect(page.locator("h1")).to_have_text(re.compile(r"^Activities\s*[\d,.\s]+\+?$"))  # the title and its count
    _shot(page, "list")
    page.get_by_role("link", name=f"Intro call {plan.marker}").click()
    expect(page.locator("h1")).to_contain_text(f"Intro call {plan.marker}")
    expect(page.get_by_test_id("links")).to_contain_text(f"Browser Co {plan.marker}")
    _shot(page, "detail")

    # Complete it, planning a follow-up.
    page.get_by_test_id("complete").click()
    page.get_by_label("Outcome").select_option("successful")
    page.get_by_label("Note", exact=True).fill("They want a proposal.")
    expect(page.get_by_test_id("follow-up-fields")).to_be_hidden()
    page.get_by_label("Plan a follow-up").check()
    expect(page.get_by_test_id("follow-up-fields")).to_be_visible()
    page.get_by_label("Follow-up type").select_option("email")
    page.get_by_label("Follow-up subject").fill(follow_up_subject)
    page.get_by_label("Follow-up due").fill("2030-01-15T09:30")
    _shot(page, "complete")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("alert").first).to_contain_text("the follow-up “" + follow_up_subject + "” is planned")
    expect(page.get_by_test_id("status")).to_contain_text("Done")
    expect(page.get_by_test_id("chain")).to_contain_text(follow_up_subject)

    # The follow-up is in the list; its page shows the chain origin → follow-up.
    page.goto(f"{plan.base_url}activities/?q={plan.marker}")  # pages hold 50: filter to this run's rows
    page.get_by_role("link", name=follow_up_subject).click()
    chain = page.get_by_test_id("chain").locator("li")
    expect(chain).to_have_count(2)
    expect(chain.nth(0)).to_contain_text(f"Intro call {plan.marker}")
    expect(chain.nth(1)).to_contain_text(follow_up_subject)
    _shot(page, "follow-up")

    # The calendar (week view): drag the meeting from Wednesday to Thursday, same time.
    page.goto(f"{plan.base_url}calendar/")
    expect(page.locator("h1")).to_have_text("Calendar")
    event = page.locator(f".fc-event[data-activity='{plan.meeting_pk}']")
    expect(event).to_be_visible()
    _shot(page, "calendar-week")
    thursday = (plan.meeting_start + timedelta(days=1)).date().isoformat()
    target = page.locator(f"td.fc-timegrid-col[data-date='{thursday}']")
    event.scroll_into_view_if_needed()
    event_box, target_box = event.bounding_box(), target.bounding_box()
    assert event_box is not None
    assert target_box is not None
    x, y = event_box["x"] + event_box["width"] / 2, event_box["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 2, steps=5)
    page.mouse.move(target_box["x"] + target_box["width"] / 2, y, steps=15)
    page.mouse.up()
    expect(page.locator("#calendar")).to_have_attribute("data-last-saved", str(plan.meeting_pk))
    expect(page.locator("#calendar-alert")).to_be_hidden()
    _shot(page, "calendar-moved")

    with database_access(django_db_blocker), tenant_context(plan.tenant):
        meeting = Activity.objects.get(pk=plan.meeting_pk)
        follow_up = Activity.objects.get(subject=follow_up_subject)
        assert (meeting.due_at, meeting.ends_at) == (
            plan.meeting_start + timedelta(days=1), plan.meeting_start + timedelta(days=1, hours=1),
        )  # fmt: skip
        assert (follow_up.origin_id, follow_up.kind, follow_up.status) == (plan.call_pk, "email", "open")

    # The bell counts the unread reminder; the inbox marks it read.
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notification-bell").click()
    expect(page.locator("h1")).to_have_text("Notifications")
    expect(page.get_by_test_id("notifications")).to_contain_text(f"Reminder: Planning {plan.marker}")
    _shot(page, "notifications")
    page.get_by_test_id("read-all").click()
    expect(page.locator("[data-unread='true']")).to_have_count(0)
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
