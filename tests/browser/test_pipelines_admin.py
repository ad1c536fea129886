"""Settings → Pipelines in a real browser: a stage is dragged to a new place and stays there after a
reload. Screenshots of the pages land in /tmp/shots/pipelines-*.png for a person to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from modules.sales.models import Deal, Pipeline, Stage
from modules.sales.services.pipeline_admin import add_stage, create_pipeline
from tenants.models import Tenant
from tests.browser.conftest import MOBILE, GunicornServer, database_access, horizontal_overflow, sign_in
from tests.tenancy import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

SLOW_MACHINE_TIMEOUT = 30_000
SHOTS = Path("/tmp/shots")  # noqa: S108 - where people look at the screenshots


@dataclass(frozen=True)
class Plan:
    base_url: str
    tenant: Tenant
    pipeline_pk: int


@pytest.fixture
def plan(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Plan]:
    """In alpha (committed): a pipeline with the stages Lead, Call, Demo, Offer, Won, Lost and a deal in Offer;
    removed afterwards."""
    name = f"Browser {uuid.uuid4().hex[:6]}"
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            pipeline = create_pipeline(name=name)
            Stage.objects.filter(pipeline=pipeline, name="New").update(name="Lead")
            for stage_name, probability in (("Call", 20), ("Demo", 40), ("Offer", 60)):
                stage = add_stage(pipeline, name=stage_name, probability=probability, required_fields=["amount"])
            Deal.objects.create(name=f"{name} deal", pipeline=pipeline, stage=stage, amount=Decimal("500"))
    yield Plan(gunicorn_server.url("alpha"), tenant, pipeline.pk)
    with database_access(django_db_blocker), tenant_context(tenant):
        Deal.objects.filter(pipeline__name=name).delete()
        Pipeline.objects.filter(name=name).delete()


def _order(django_db_blocker: Any, plan: Plan) -> list[str]:
    with database_access(django_db_blocker), tenant_context(plan.tenant):
        stages = Stage.objects.filter(pipeline_id=plan.pipeline_pk).order_by("position", "id")
        return list(stages.values_list("name", flat=True))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pipelines-{name}.png"), full_page=True)


def test_a_dragged_stage_keeps_its_new_place(page: Page, plan: Plan, django_db_blocker: Any) -> None:
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)  # the shared test machine may be busy: allow slow sign-ins
    sign_in(page, plan.base_url, ADMIN_EMAIL, PASSWORD)
    expect(page).to_have_url(plan.base_url)

    page.goto(f"{plan.base_url}settings/pipelines/")
    expect(page.locator("h1")).to_have_text("Pipelines")
    expect(page.get_by_role("link", name="Pipelines", exact=True)).to_have_attribute("aria-current", "page")
    _shot(page, "list")

    page.get_by_test_id("pipeline-name").filter(has_text="Browser").click()
    rows = page.get_by_test_id("stage-name")
    expect(rows).to_have_text(["Lead", "Call", "Demo", "Offer", "Won", "Lost"])
    _shot(page, "detail")

    # Offer is dragged by its handle above Call.
    handle = page.locator("tr[data-testid=stage-row]", has_text="Offer").locator(".drag-handle")
    target = page.locator("tr[data-testid=stage-row]", has_text="Call")
    with page.expect_response(lambda response: response.url.endswith("/stages/reorder/")) as reorder:
        handle.hover()
        page.mouse.down()
        box = target.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 40, box["y"] + box["height"] * 0.25, steps=15)
        page.mouse.up()
    assert reorder.value.status == 200
    assert _order(django_db_blocker, plan) == ["Lead", "Offer", "Call", "Demo", "Won", "Lost"]
    page.reload()
    expect(rows).to_have_text(["Lead", "Offer", "Call", "Demo", "Won", "Lost"])

    # The inline edit form, and the questions where deals go when their stage or pipeline leaves.
    page.locator("tr[data-testid=stage-row]", has_text="Demo").get_by_role("link", name="Edit").click()
    expect(page.locator("#stage-edit-form")).to_be_visible()
    _shot(page, "stage-edit")
    page.goto(f"{plan.base_url}settings/pipelines/{plan.pipeline_pk}/")
    page.locator("tr[data-testid=stage-row]", has_text="Offer").get_by_role("link", name="Delete").click()
    expect(page.locator("h1")).to_have_text("Delete the stage Offer")
    expect(page.get_by_label("Move the deals to")).to_be_visible()
    _shot(page, "stage-delete")
    page.goto(f"{plan.base_url}settings/pipelines/{plan.pipeline_pk}/archive/")
    expect(page.get_by_label("Move the deals to")).to_be_visible()
    _shot(page, "archive")

    # Neither page is wider than a phone.
    page.set_viewport_size(MOBILE)
    for path in ("", f"{plan.pipeline_pk}/"):
        page.goto(f"{plan.base_url}settings/pipelines/{path}")
        overflow = horizontal_overflow(page)
        assert overflow["scrollWidth"] <= overflow["clientWidth"], overflow
    _shot(page, "detail-mobile")
