"""Writing dashboards: every change goes through the services in one transaction with an outbox
event; a refusal names the field and writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from identity.models import AuditEntry
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.selectors import dashboards_for
from modules.analytics.dashboards.services import (
    add_widget,
    create_dashboard,
    delete_dashboard,
    remove_widget,
    save_layout,
    update_dashboard,
    update_widget,
)
from tests.analytics.dashboards.grid.conftest import region_report
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture, revoke


def _field(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return sorted(error.value.message_dict)


def test_a_dashboard_is_created_shared_changed_and_deleted_with_events(alpha: TenantFixture, world: World):
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Team", period="last_30_days", sharing="team",
                                     shared_team=world.team)  # fmt: skip
        assert DomainEvent.objects.filter(type="dashboard.created", record_id=dashboard.pk).count() == 1
        assert AuditEntry.objects.filter(action="dashboard.shared", target=f"dashboard:{dashboard.pk}").count() == 1
        assert list(dashboards_for(world.ana)) == [dashboard]
        assert list(dashboards_for(world.cid)) == []

        update_dashboard(dashboard, by=world.mara, name="Mine", sharing="private")
        assert DomainEvent.objects.filter(type="dashboard.updated", record_id=dashboard.pk).count() == 1
        assert list(dashboards_for(world.ana)) == []

        pk = dashboard.pk
        delete_dashboard(dashboard, by=world.mara)
        assert DomainEvent.objects.filter(type="dashboard.deleted", record_id=pk).count() == 1
        assert not Dashboard.objects.exists()


def test_a_ready_made_dashboard_leaves_out_the_kinds_its_creator_cannot_see(
    alpha: TenantFixture, world: World, kinds: None
):
    revoke(alpha, "sales_rep", "sales.view_reports")
    with alpha.active():
        for_mara = create_dashboard(by=world.mara, ready_made="test-sales")
        for_ana = create_dashboard(by=world.ana, ready_made="test-sales")

        assert for_mara.name == "Sales at a glance"
        assert for_mara.ready_made == "test-sales"
        assert list(for_mara.widgets.values_list("kind", "x", "width")) == [
            ("test-won", 0, 3), ("test-reports-only", 3, 3), ("test-companies", 6, 6),
        ]  # fmt: skip
        assert list(for_ana.widgets.values_list("kind", flat=True)) == ["test-won", "test-companies"]
        with pytest.raises(ValidationError) as error:
            create_dashboard(by=world.mara, ready_made="no-such-board")
        assert _field(error) == ["ready_made"]


def test_widgets_are_added_renamed_moved_and_removed(alpha: TenantFixture, world: World, kinds: None):
    report = region_report(alpha, world)
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board")
        first = add_widget(dashboard, by=world.mara, kind="test-won")
        second = add_widget(dashboard, by=world.mara, report=report, title="Regions")
        # A new widget goes below the ones already there, in its kind's size.
        assert (first.x, first.y, first.width, first.height) == (0, 0, 3, 2)
        assert (second.x, second.y, second.width, second.height) == (0, 2, 6, 3)

        update_widget(first, by=world.mara, title="Won")
        save_layout(dashboard, by=world.mara, places=[
            {"id": first.pk, "x": 6, "y": 0, "width": 6, "height": 4}, {"id": second.pk, "x": 0, "y": 0, "width": 6},
        ])  # fmt: skip
        first.refresh_from_db()
        assert (first.title, first.x, first.y, first.width, first.height) == ("Won", 6, 0, 6, 4)
        remove_widget(second, by=world.mara)
        assert list(dashboard.widgets.all()) == [first]
        assert DomainEvent.objects.filter(type="dashboard.updated", record_id=dashboard.pk).count() == 5


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "no-such-kind"}, "kind"),
        ({}, "kind"),
        ({"kind": "test-won", "x": 10}, "x"),  # 10 + 3 columns pass the grid's edge
        ({"kind": "test-won", "width": 13}, "width"),
        ({"kind": "test-won", "height": 0}, "height"),
        ({"kind": "test-won", "y": -1}, "y"),
        ({"kind": "test-won", "x": "1"}, "x"),
        ({"kind": "test-won", "title": "a\x00b"}, "title"),
        ({"kind": "test-won", "title": "x" * 201}, "title"),
        ({"kind": "test-won", "options": {"colour": "red"}}, "options"),
        ({"kind": "test-won", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_widget_is_refused_by_field_and_nothing_is_written(
    alpha: TenantFixture, world: World, kinds: None, values, field
):
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board")
        with pytest.raises(ValidationError) as error:
            add_widget(dashboard, by=world.mara, **values)
        assert field in _field(error)
        assert not Widget.objects.exists()


def test_a_report_widget_needs_a_report_its_adder_may_open_and_a_real_date_field(
    alpha: TenantFixture, world: World, kinds: None
):
    private = region_report(alpha, world, by=world.cid, sharing="private")
    shared = region_report(alpha, world)
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board")
        with pytest.raises(ValidationError) as error:
            add_widget(dashboard, by=world.mara, report=private)
        assert _field(error) == ["report"]
        with pytest.raises(ValidationError) as error:
            add_widget(dashboard, by=world.mara, report=shared, options={"date_field": "name"})
        assert _field(error) == ["options.date_field"]
        widget = add_widget(dashboard, by=world.mara, report=shared, options={"date_field": "closed_at"})
        assert widget.options == {"date_field": "closed_at"}
        assert Widget.objects.count() == 1


@pytest.mark.parametrize(
    ("places", "field"),
    [
        ([{"id": "WIDGET", "x": 7, "y": 0, "width": 6, "height": 2}], "widgets.0.x"),
        ([{"id": "WIDGET", "x": 0, "y": 5000, "width": 6, "height": 2}], "widgets.0.y"),
        ([{"id": "WIDGET", "x": 0, "y": 0, "width": 6, "height": 99}], "widgets.0.height"),
        ([{"id": 0, "x": 0, "y": 0}], "widgets.0.id"),
        ([{"id": "WIDGET", "z": 1}], "widgets.0"),
        ({"id": 1}, "widgets"),
    ],
)
def test_a_bad_layout_is_refused_by_field_and_nothing_moves(
    alpha: TenantFixture, world: World, kinds: None, places, field
):
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board")
        widget = add_widget(dashboard, by=world.mara, kind="test-won")
        other = add_widget(dashboard, by=world.mara, kind="test-companies")
        if isinstance(places, list):
            places = [{**place, "id": widget.pk} if place.get("id") == "WIDGET" else place for place in places]
            places = [{"id": other.pk, "x": 4, "y": 9, "width": 4, "height": 2}, *places]
            field = field.replace("widgets.0", "widgets.1")
        with pytest.raises(ValidationError) as error:
            save_layout(dashboard, by=world.mara, places=places)
        assert _field(error) == [field]
        other.refresh_from_db()
        assert (other.x, other.y) == (0, 2)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "a\x00b"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"name": "Ok", "period": "next_century"}, "period"),
        ({"name": "Ok", "sharing": "team"}, "shared_team"),
        ({"name": "Ok", "sharing": "galaxy"}, "sharing"),
        ({"name": "Ok", "owner": 1}, "owner"),
    ],
)
def test_a_bad_dashboard_is_refused_by_field(alpha: TenantFixture, world: World, values, field):
    with alpha.active():
        with pytest.raises(ValidationError) as error:
            create_dashboard(by=world.mara, **values)
        assert field in _field(error)
        assert not Dashboard.objects.exists()
