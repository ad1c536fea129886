"""The dashboard's controls in a browser, for an administrator who reads Romanian dates: on a phone
the grid is one column and a widget dragged there keeps its new place (the wide grid takes the same
order); on a desktop the owner filter is a search that finds a team, the custom range is typed as
01.01.2020, the pie's legend stays inside its widget and the pipeline's amounts carry their
currency."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, expect

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from tenants.models import Tenant
from tests.browser.conftest import DemoTenant, database_access, sign_in
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.browser
PASSWORD = "story-dashboard-controls-5521"
EMAIL = "story.controls@demo.example"
TEAM = "Story controls crew"


@pytest.fixture
def board(demo_tenant: DemoTenant, django_db_blocker: Any) -> Iterator[Dashboard]:
    """A new administrator's copy of the ready-made "Sales" dashboard; they write dates as dd.mm.yyyy."""
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        team = Team.objects.create(name=TEAM)
        manager = create_user(email=EMAIL, password=PASSWORD, full_name="Petra Controls",
                              role=Role.objects.get(key="admin"), teams=[team])  # fmt: skip
        User.objects.filter(pk=manager.pk).update(locale="ro")
        dashboard = create_dashboard(by=manager, name="Controls board", ready_made="sales", period="all")
    yield dashboard
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        Dashboard.objects.filter(owner=manager).delete()
        User.objects.filter(pk=manager.pk).delete()
        team.delete()


def _page(new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, width: int, errors: list[str]) -> Page:
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, demo_tenant.url, EMAIL, PASSWORD)
    return page


# Three small widgets of cheap kinds: the phone test is about the grid, not the figures.
PHONE_KINDS = ("sales-won-revenue", "sales-win-rate", "sales-open-pipeline")


@pytest.fixture
def phone_board(board: Dashboard, django_db_blocker: Any) -> Dashboard:
    """A blank dashboard of the same administrator with three widgets, one below the other on a phone."""
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        dashboard = create_dashboard(by=board.owner, name="Phone board", period="all")
        for kind in PHONE_KINDS:
            add_widget(dashboard, by=board.owner, kind=kind)
    return dashboard


def _places(django_db_blocker: Any, dashboard: Dashboard) -> list[tuple[int, int, int, int, int]]:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        return list(
            Widget.objects.filter(dashboard=dashboard).order_by("y", "x").values_list("pk", "x", "y", "width", "height")
        )


def test_a_widget_moved_on_a_phone_keeps_its_place(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, phone_board: Dashboard, django_db_blocker: Any
) -> None:
    errors: list[str] = []
    before = _places(django_db_blocker, phone_board)
    page = _page(new_context, demo_tenant, 390, errors)
    page.goto(f"{demo_tenant.url}analytics/dashboards/{phone_board.pk}/")
    grid = page.locator("#dashboard-grid")
    expect(grid).to_have_attribute("data-ready", "true")
    assert page.evaluate("() => document.querySelector('#dashboard-grid').gridstack.getColumn()") == 1

    # The last widget dragged by its handle onto the first one's top edge.
    last, first = before[-1][0], before[0][0]
    handle = page.locator(f'[data-widget-item="{last}"] .widget-drag')
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    assert start is not None
    page.mouse.move(start["x"] + 4, start["y"] + 4)
    page.mouse.down()
    page.mouse.move(start["x"] + 4, start["y"] - 40, steps=4)
    target = page.locator(f'[data-widget-item="{first}"]')
    target.scroll_into_view_if_needed()
    top = target.bounding_box()
    assert top is not None
    page.mouse.move(top["x"] + 10, top["y"] + 5, steps=8)
    page.mouse.up()
    expect(grid).to_have_attribute("data-layout-saved", "saved")

    after = _places(django_db_blocker, phone_board)
    assert [pk for pk, *_place in after] == [last, *(pk for pk, *_place in before[:-1])]
    # Widths are the wide grid's; no two widgets overlap there, none sticks out.
    assert {pk: width for pk, _x, _y, width, _h in after} == {pk: width for pk, _x, _y, width, _h in before}
    cells = [(x + dx, y + dy) for _pk, x, y, width, height in after for dx in range(width) for dy in range(height)]
    assert len(cells) == len(set(cells))
    assert all(x + width <= 12 for _pk, x, _y, width, _h in after)

    # Back on a desktop the grid shows the saved layout: the moved widget first.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(grid).to_have_attribute("data-ready", "true")
    first_shown = page.evaluate(
        """() => document.querySelector('#dashboard-grid').gridstack.save(false)
                 .sort((a, b) => (a.y || 0) - (b.y || 0) || (a.x || 0) - (b.x || 0))[0].id"""
    )
    assert str(first_shown) == str(last)
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_owner_search_localized_range_legend_and_currency(
    new_context: Callable[..., BrowserContext], demo_tenant: DemoTenant, board: Dashboard, django_db_blocker: Any
) -> None:
    errors: list[str] = []
    page = _page(new_context, demo_tenant, 1280, errors)
    page.goto(f"{demo_tenant.url}analytics/dashboards/{board.pk}/")
    kinds = dict(_kinds(django_db_blocker, board))
    for pk in kinds.values():
        expect(page.locator(f'[data-widget-body="{pk}"]')).to_have_attribute("data-state", re.compile("ready|empty"))

    # The pie's legend is a list inside the widget, not cut off.
    pie = page.locator(f'[data-widget-body="{kinds["sales-new-leads-by-source"]}"]')
    expect(pie).to_have_attribute("data-state", "ready")
    legend, card = pie.locator("[data-legend=pie]").bounding_box(), pie.bounding_box()
    assert legend is not None
    assert card is not None
    assert legend["x"] + legend["width"] <= card["x"] + card["width"] + 1
    assert legend["y"] + legend["height"] <= card["y"] + card["height"] + 1
    # The pipeline's amounts carry the currency.
    pipeline = page.locator(f'[data-widget-body="{kinds["sales-pipeline-by-owner"]}"]')
    expect(pipeline.locator("tbody tr").first.locator("td").nth(2)).to_have_text(re.compile(r"€|EUR|RON|lei|\$"))

    # The owner filter: typing part of the team's name offers it; choosing it reloads the widgets
    # that honour the owner filter, with the team.
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        team = Team.objects.get(name=TEAM)
    count = page.evaluate("() => window.relataDashboardRequests.length")
    page.locator("#filter-owner").fill("controls cr")
    page.get_by_role("option", name=re.compile(TEAM)).click()
    expect(page).to_have_url(re.compile(rf"team={team.pk}"))
    page.wait_for_function(f"() => window.relataDashboardRequests.length > {count}")
    requests = page.evaluate(f"() => window.relataDashboardRequests.slice({count})")
    assert {query for _pk, query in requests} == {f"period=all&team={team.pk}"}
    assert kinds["sales-open-pipeline"] in {pk for pk, _query in requests}

    # A custom range typed the Romanian way.
    page.locator("#filter-period").select_option("custom")
    start = page.get_by_test_id("filter-start")
    expect(start).to_have_attribute("placeholder", "dd.mm.yyyy")
    count = page.evaluate("() => window.relataDashboardRequests.length")
    start.fill("01.01.2020")
    start.press("Tab")
    won = kinds["sales-won-revenue"]
    page.wait_for_function(
        f"""() => window.relataDashboardRequests.slice({count}).some(
                 ([pk, query]) => pk === {won} && query === "start=01.01.2020&team={team.pk}")"""
    )
    expect(page.locator(f'[data-widget-body="{won}"]')).to_have_attribute("data-state", re.compile("ready|empty"))
    assert "start=01.01.2020" in page.url
    assert page.evaluate("window.__violations") == []
    assert errors == []


def _kinds(django_db_blocker: Any, dashboard: Dashboard) -> list[tuple[str, int]]:
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="demo")):
        return list(Widget.objects.filter(dashboard=dashboard).values_list("kind", "pk"))
