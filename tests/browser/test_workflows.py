"""Workflows in the browser: an admin builds "deal enters Needs analysis → follow-up task in 2 days"
in Settings → Workflows, sees the server's error next to the action, tests the rule on a deal,
activates it, drags the deal into that stage on the board, and the task appears on the deal. The
real Celery worker runs the outbox dispatch and the run.

Screenshots (1280×800) of the builder, the dry run and the run history land in var/screenshots/
(workflows-*.png).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from customization.events.models import DomainEvent
from customization.workflows.choices import RunStatus
from customization.workflows.models import WorkflowRule
from identity.models import User
from modules.activities.models import Activity
from modules.contacts.models import Company, TimelineEntry
from modules.sales.models import Deal, Stage
from modules.sales.services.pipelines import default_pipeline
from tenants.models import Tenant
from tests.browser.conftest import (
    MOBILE,
    SCREENSHOT_DIR,
    GunicornServer,
    database_access,
    horizontal_overflow,
    sign_in,
)
from tests.processes import wait_until
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000


@dataclass(frozen=True)
class Story:
    base_url: str  # with a trailing slash
    tenant: Tenant
    marker: str
    deal_pk: int
    target_stage_pk: int


@pytest.fixture
def story(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Story]:
    """In alpha (committed): an open deal in Qualification owned by the admin; what the test made
    from it (rule, runs, task, events, timeline) is removed afterwards."""
    marker = uuid.uuid4().hex[:6]
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            first_event = DomainEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            pipeline = default_pipeline()
            assert pipeline is not None
            stages = {stage.name: stage for stage in Stage.objects.filter(pipeline=pipeline)}
            company = Company.objects.create(name=f"Flow Co {marker}")
            deal = Deal.objects.create(
                name=f"Flow deal {marker}", pipeline=pipeline, stage=stages["Qualification"], amount=Decimal("5000"),
                currency="EUR", company=company, owner=User.objects.get(email=ADMIN_EMAIL),
            )  # fmt: skip
    yield Story(gunicorn_server.url("alpha"), tenant, marker, deal.pk, stages["Needs analysis"].pk)
    with database_access(django_db_blocker), tenant_context(tenant):
        WorkflowRule.objects.filter(name__endswith=marker).delete()
        tasks = Activity.objects.filter(subject__endswith=marker)
        TimelineEntry.objects.filter(activity__in=tasks).delete()
        tasks.delete()
        TimelineEntry.objects.filter(deal__name__endswith=marker).delete()
        TimelineEntry.objects.filter(company__name__endswith=marker).delete()
        Deal.objects.filter(name__endswith=marker).delete()
        Company.objects.filter(name__endswith=marker).delete()
        DomainEvent.objects.filter(pk__gt=first_event).delete()


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"workflows-{name}.png"), full_page=True)


def _rule(story: Story, django_db_blocker: Any) -> WorkflowRule:
    with database_access(django_db_blocker), tenant_context(story.tenant):
        return WorkflowRule.objects.get(name__endswith=story.marker)


def _task(story: Story, django_db_blocker: Any) -> Activity | None:
    with database_access(django_db_blocker), tenant_context(story.tenant):
        return Activity.objects.filter(deal_id=story.deal_pk, subject__endswith=story.marker).first()


def test_a_rule_built_in_the_builder_plans_a_task_when_a_deal_enters_the_stage(
    page: Page, new_context: Callable[..., BrowserContext], story: Story, django_db_blocker: Any
) -> None:
    base = story.base_url
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(page, base, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(base)

    # The rule, entered in the builder: trigger, one condition, one action (its subject first forgotten).
    page.goto(f"{base}settings/workflows/new/")
    page.get_by_label("Name", exact=True).fill(f"Needs analysis follow-up {story.marker}")
    page.get_by_label("Record type", exact=True).select_option("deal")
    page.get_by_label("When", exact=True).select_option("stage_entered")
    page.get_by_test_id("trigger-stage").select_option(str(story.target_stage_pk))
    page.get_by_test_id("add-condition").click()
    condition = page.get_by_test_id("condition").first
    condition.get_by_test_id("condition-field").select_option("amount")
    condition.get_by_test_id("condition-op").select_option("gte")
    condition.get_by_test_id("condition-value").fill("1000")
    page.get_by_test_id("action-due-days").fill("2")
    page.get_by_test_id("save-rule").click()
    expect(page.get_by_test_id("action-subject-error")).to_have_text("Enter a subject.")
    _shot(page, "builder-error")
    with database_access(django_db_blocker), tenant_context(story.tenant):
        assert not WorkflowRule.objects.filter(name__endswith=story.marker).exists()

    # What was entered survived the round trip; with a subject the rule is saved, switched off.
    expect(page.get_by_test_id("trigger-stage")).to_have_value(str(story.target_stage_pk))
    expect(page.get_by_test_id("condition-value")).to_have_value("1000")
    page.get_by_test_id("action-subject").fill(f"Follow up {story.marker}")
    page.get_by_test_id("save-rule").click()
    expect(page.get_by_test_id("rule-state")).to_have_text("Off")
    rule = _rule(story, django_db_blocker)
    assert (rule.trigger_config, rule.version, rule.is_active) == ({"stage_id": story.target_stage_pk}, 1, False)
    assert rule.conditions == {"match": "all", "conditions": [{"field": "amount", "op": "gte", "value": "1000"}]}
    assert rule.actions == [
        {
            "type": "create_activity",
            "kind": "task",
            "subject": f"Follow up {story.marker}",
            "due_in": {"days": 2, "hours": 0},
            "assignee": "record_owner",
        }
    ]
    _shot(page, "builder")

    # Tested on the deal: the conditions hold and the task would be created; nothing changes. The
    # picker lists the newest deals at once and narrows them by name.
    expect(page.get_by_test_id("record-options").get_by_label(f"Flow deal {story.marker}")).to_be_visible()
    # The deal is listed before the search answers too: wait for the answer, or it replaces the
    # options (and the choice) after the radio is checked.
    with page.expect_response(lambda response: "/records/?q=" in response.url):
        page.get_by_test_id("record-search").fill(f"Flow deal {story.marker}")
    expect(page.get_by_test_id("record-search")).not_to_have_class(re.compile(r"\bhtmx-request\b"))  # swapped
    expect(page.get_by_test_id("record-options").get_by_label(f"Flow deal {story.marker}")).to_be_visible()
    page.get_by_test_id("record-options").get_by_label(f"Flow deal {story.marker}").check()
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("dry-run-matched")).to_contain_text("the rule would run")
    expect(page.get_by_test_id("dry-run-step")).to_have_count(1)
    expect(page.get_by_test_id("dry-run-step")).to_contain_text(f"Follow up {story.marker}")
    page.get_by_test_id("dry-run-result").scroll_into_view_if_needed()
    _shot(page, "dry-run")
    assert _task(story, django_db_blocker) is None

    # Activated, then the deal is dragged into the stage on the board.
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_test_id("rule-state")).to_have_text("Active")
    page.goto(f"{base}pipeline/")
    card = page.locator(f"[data-testid=deal-card][data-deal='{story.deal_pk}']")
    target = page.locator(f".board-cards[data-stage='{story.target_stage_pk}']")
    expect(card).to_be_visible()
    with page.expect_response(lambda response: response.url.endswith(f"/deals/{story.deal_pk}/move/")) as move:
        card.hover()
        page.mouse.down()
        box = target.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=12)
        page.mouse.up()
    assert move.value.status == 200
    moved_at = datetime.now(UTC)

    # The worker dispatches the stage change to the rule, which plans the task on the deal.
    wait_until(lambda: _task(story, django_db_blocker) is not None, timeout=60, what="the workflow's task")
    task = _task(story, django_db_blocker)
    assert task is not None
    assert task.kind == "task"
    assert timedelta(days=2) - timedelta(minutes=5) < task.due_at - moved_at < timedelta(days=2, minutes=5)
    page.goto(f"{base}deals/{story.deal_pk}/")
    activities = page.locator(".card-body:has(> h2:text-is('Activities')) > ul")
    expect(activities.get_by_role("link", name=f"Follow up {story.marker}")).to_be_visible()

    # The run history shows the run on the deal, and the run page its step.
    page.goto(f"{base}settings/workflows/{rule.pk}/runs/")
    row = page.get_by_test_id("run-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("run-status")).to_have_text(str(RunStatus.SUCCEEDED.label))
    expect(row.get_by_test_id("run-record")).to_have_text(f"Flow deal {story.marker}")
    _shot(page, "run-history")
    row.get_by_role("link", name="#").first.click()
    expect(page.get_by_test_id("step")).to_have_count(1)
    expect(page.get_by_test_id("step")).to_contain_text("Create an activity or task")
    expect(page.get_by_test_id("step-output")).to_contain_text(f"Follow up {story.marker}")
    _shot(page, "run")
    page.goto(f"{base}settings/workflows/")
    listed = page.locator(f"[data-testid=rule-row][data-rule='{rule.pk}']")
    expect(listed.get_by_test_id("recent-runs")).to_have_text("1")
    expect(listed.get_by_test_id("run-status")).to_have_text(str(RunStatus.SUCCEEDED.label))
    _shot(page, "list")

    # An e-mail template with a placeholder the templates do not offer is refused, naming it.
    page.goto(f"{base}settings/workflows/templates/new/")
    page.get_by_label("Name", exact=True).fill(f"Welcome {story.marker}")
    page.get_by_label("Subject", exact=True).fill("Welcome, {{ record.name }}")
    page.get_by_label("Body", exact=True).fill("Dear {{ owner.password }}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("body-errors")).to_contain_text("{{ owner.password }} is not a placeholder")
    _shot(page, "template-error")

    # On a phone the builder and the run history fit the screen.
    phone = new_context(viewport=MOBILE).new_page()
    phone.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    sign_in(phone, base, ADMIN_EMAIL, PASSWORD)
    for path in (f"settings/workflows/{rule.pk}/", f"settings/workflows/{rule.pk}/runs/", "settings/workflows/"):
        phone.goto(f"{base}{path}")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        overflow = horizontal_overflow(phone)
        assert overflow["scrollWidth"] <= overflow["clientWidth"], (path, overflow)
    phone.goto(f"{base}settings/workflows/{rule.pk}/")
    phone.screenshot(path=str(SCREENSHOT_DIR / "workflows-builder-mobile.png"), full_page=True)
