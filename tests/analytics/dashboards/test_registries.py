from collections.abc import Iterator

import pytest

from modules.analytics.dashboards import ready_made, widgets
from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made
from modules.analytics.dashboards.widgets import Display, WidgetData, WidgetKind, register_widget


def _zero(_user: object, _filters: widgets.DashboardFilters) -> WidgetData:
    return WidgetData(value=0)


@pytest.fixture
def clean_registries() -> Iterator[None]:
    kinds, dashboards = dict(widgets._KINDS), dict(ready_made._DASHBOARDS)
    yield
    widgets._KINDS.clear()
    widgets._KINDS.update(kinds)
    ready_made._DASHBOARDS.clear()
    ready_made._DASHBOARDS.update(dashboards)


def test_a_second_kind_with_the_same_key_is_refused(clean_registries: None) -> None:
    register_widget(WidgetKind("test-zero", "Zero", "", Display.KPI, _zero))
    register_widget(WidgetKind("test-zero", "Zero", "", Display.KPI, _zero))  # the same again is fine
    with pytest.raises(ValueError, match="test-zero"):
        register_widget(WidgetKind("test-zero", "Other", "", Display.BAR, _zero))
    assert widgets.widget_named("test-zero") is not None


def test_ready_made_placements_must_fit_the_grid_and_unknown_kinds_are_left_out(clean_registries: None) -> None:
    with pytest.raises(ValueError, match="grid"):
        register_ready_made(ReadyMade("test-wide", "Wide", "", (Placement("test-zero", 6, 0, 7, 2),)))
    register_widget(WidgetKind("test-zero", "Zero", "", Display.KPI, _zero))
    board = ReadyMade("test-board", "Board", "", (Placement("test-zero", 0, 0, 4, 2), Placement("gone", 4, 0, 4, 2)))
    register_ready_made(board)
    assert [p.kind for p in ready_made.placements_for(board, {"test-zero", "gone"})] == ["test-zero"]
    assert ready_made.placements_for(board, set()) == []
