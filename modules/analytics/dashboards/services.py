"""Writing dashboards and their widgets: the only code that creates, changes and deletes them. Each
write runs in one transaction, checks what it is given (a refusal is a ``ValidationError`` naming
the field: ``kind``, ``report``, ``widgets.2.x``), writes a ``dashboard.*`` outbox event, and
sharing a dashboard beyond its owner is audited like sharing a report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from core.input_bounds import check_fields
from customization.events.outbox import emit
from identity.models import Role, Team, User
from identity.services.audit import audit
from modules.analytics.dashboards.models import GRID_COLUMNS, MAX_HEIGHT, MAX_ROW, Dashboard, Widget
from modules.analytics.dashboards.ready_made import placements_for, ready_made_named
from modules.analytics.dashboards.report_widgets import date_field_problem
from modules.analytics.dashboards.widgets import available_widgets, widget_named
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import reports_for

EDITABLE = ("name", "period", "sharing", "shared_role", "shared_team")
WIDGET_EDITABLE = ("title", "x", "y", "width", "height", "options")
ENTITY = "dashboard"
MAX_WIDGETS = 40


def _refuse_unknown(values: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({name[:50]: [_("This field cannot be set.")] for name in unknown})


def _apply(dashboard: Dashboard, values: dict[str, Any]) -> list[str]:
    _refuse_unknown(values, EDITABLE)
    changed = [name for name, value in values.items() if getattr(dashboard, name) != value]
    for name, value in values.items():
        setattr(dashboard, name, value)
    if dashboard.sharing != Sharing.ROLE:
        dashboard.shared_role = None
    if dashboard.sharing != Sharing.TEAM:
        dashboard.shared_team = None
    errors: dict[str, list[str]] = {}
    if dashboard.sharing == Sharing.ROLE and not isinstance(dashboard.shared_role, Role):
        errors["shared_role"] = [_("Choose the role to share the dashboard with.")]
    if dashboard.sharing == Sharing.TEAM and not isinstance(dashboard.shared_team, Team):
        errors["shared_team"] = [_("Choose the team to share the dashboard with.")]
    if errors:
        raise ValidationError(errors)
    check_fields(dashboard)
    dashboard.full_clean(exclude=["owner"])
    return changed


def _audit_sharing(dashboard: Dashboard, *, by: User) -> None:
    audit(
        "dashboard.shared",
        _("Dashboard %(name)s shared with %(whom)s.")
        % {"name": dashboard.name, "whom": dashboard.get_sharing_display()},
        by=by,
        target=f"dashboard:{dashboard.pk}",
        details={"sharing": dashboard.sharing, "role": dashboard.shared_role_id, "team": dashboard.shared_team_id},
    )


def _kinds_for(user: User) -> set[str]:
    return {kind.key for kind in available_widgets(getattr(connection, "tenant", None), user)}


@transaction.atomic
def create_dashboard(*, by: User, ready_made: str | None = None, **values: Any) -> Dashboard:
    """A dashboard of ``by``'s, blank or laid out like the ready-made ``ready_made`` (its widgets
    that ``by`` may not see are left out)."""
    template = None
    if ready_made:
        template = ready_made_named(ready_made) if isinstance(ready_made, str) else None
        if template is None:
            raise ValidationError({"ready_made": [_("Choose one of the ready-made dashboards offered.")]})
        values.setdefault("name", str(template.title))
    dashboard = Dashboard(owner=by, ready_made=template.key if template else "")
    _apply(dashboard, values)
    dashboard.save()
    if template is not None:
        Widget.objects.bulk_create(
            Widget(dashboard=dashboard, kind=p.kind, x=p.x, y=p.y, width=p.width, height=p.height)
            for p in placements_for(template, _kinds_for(by))
        )
    emit(f"{ENTITY}.created", dashboard, entity=ENTITY, actor=by, data={"ready_made": dashboard.ready_made})
    if dashboard.sharing != Sharing.PRIVATE:
        _audit_sharing(dashboard, by=by)
    return dashboard


@transaction.atomic
def update_dashboard(dashboard: Dashboard, *, by: User, **values: Any) -> Dashboard:
    before = (dashboard.sharing, dashboard.shared_role_id, dashboard.shared_team_id)
    changed = _apply(dashboard, values)
    dashboard.save()
    emit(f"{ENTITY}.updated", dashboard, entity=ENTITY, actor=by, data={"changes": changed})
    after = (dashboard.sharing, dashboard.shared_role_id, dashboard.shared_team_id)
    if after != before and dashboard.sharing != Sharing.PRIVATE:
        _audit_sharing(dashboard, by=by)
    return dashboard


@transaction.atomic
def delete_dashboard(dashboard: Dashboard, *, by: User) -> None:
    emit(f"{ENTITY}.deleted", dashboard, entity=ENTITY, actor=by, data={"name": dashboard.name})
    dashboard.delete()


def _integer(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise ValidationError({name: [message]})
    return value


def _check_place(widget: Widget, prefix: str = "") -> None:
    widget.width = _integer(widget.width, f"{prefix}width", 1, GRID_COLUMNS)
    widget.x = _integer(widget.x, f"{prefix}x", 0, GRID_COLUMNS - widget.width)
    widget.y = _integer(widget.y, f"{prefix}y", 0, MAX_ROW)
    widget.height = _integer(widget.height, f"{prefix}height", 1, MAX_HEIGHT)


def _check_widget(widget: Widget, *, by: User) -> None:
    _check_place(widget)
    if not isinstance(widget.options, dict) or set(widget.options) - {"date_field"}:
        raise ValidationError({"options": [_("A widget's options may only name its date_field.")]})
    if widget.report is None and widget.options:
        raise ValidationError({"options": [_("Only a report's widget takes options.")]})
    if widget.report is not None and widget.options.get("date_field", "") != "":
        problem = date_field_problem(widget.report, widget.options["date_field"], by)
        if problem:
            raise ValidationError({"options.date_field": [problem]})
    check_fields(widget, exclude=["options"])
    widget.full_clean(exclude=["dashboard", "report", "options"])


@transaction.atomic
def add_widget(
    dashboard: Dashboard,
    *,
    by: User,
    kind: str | None = None,
    report: Report | None = None,
    **values: Any,
) -> Widget:
    """A widget showing ``report`` (one ``by`` may open) or the kind ``kind`` (one ``by`` may
    add), placed below the others unless ``x``/``y`` say where."""
    _refuse_unknown(values, WIDGET_EDITABLE)
    if (kind is None) == (report is None):
        raise ValidationError({"kind": [_("Choose a widget kind or a saved report.")]})
    Dashboard.objects.select_for_update().filter(pk=dashboard.pk).first()
    if dashboard.widgets.count() >= MAX_WIDGETS:
        raise ValidationError({"kind": [_("A dashboard holds at most %(count)d widgets.") % {"count": MAX_WIDGETS}]})
    width, height = 6, 3
    if kind is not None:
        found = widget_named(kind) if isinstance(kind, str) else None
        if found is None or found.key not in _kinds_for(by):
            raise ValidationError({"kind": [_("Choose one of the widgets offered.")]})
        width, height = found.width, found.height
    elif not isinstance(report, Report) or not reports_for(by).filter(pk=report.pk).exists():
        raise ValidationError({"report": [_("Choose one of the reports you may open.")]})
    bottom = dashboard.widgets.aggregate(bottom=Max(F("y") + F("height")))["bottom"] or 0
    widget = Widget(
        dashboard=dashboard, kind=kind or "", report=report, width=values.pop("width", width),
        height=values.pop("height", height), x=values.pop("x", 0), y=values.pop("y", min(bottom, MAX_ROW)),
        title=values.pop("title", ""), options=values.pop("options", {}),
    )  # fmt: skip
    _check_widget(widget, by=by)
    widget.save()
    emit(f"{ENTITY}.updated", dashboard, entity=ENTITY, actor=by, data={"widget_added": widget.pk})
    return widget


@transaction.atomic
def update_widget(widget: Widget, *, by: User, **values: Any) -> Widget:
    _refuse_unknown(values, WIDGET_EDITABLE)
    changed = [name for name, value in values.items() if getattr(widget, name) != value]
    for name, value in values.items():
        setattr(widget, name, value)
    _check_widget(widget, by=by)
    widget.save()
    emit(f"{ENTITY}.updated", widget.dashboard, entity=ENTITY, actor=by, data={"widget": widget.pk, "changes": changed})
    return widget


@transaction.atomic
def remove_widget(widget: Widget, *, by: User) -> None:
    dashboard = widget.dashboard
    pk = widget.pk
    widget.delete()
    emit(f"{ENTITY}.updated", dashboard, entity=ENTITY, actor=by, data={"widget_removed": pk})


@transaction.atomic
def save_layout(dashboard: Dashboard, *, by: User, places: Any) -> list[Widget]:
    """Move and resize the dashboard's widgets at once: ``places`` is a list of
    ``{"id", "x", "y", "width", "height"}``; all are checked before any is written."""
    if not isinstance(places, list) or len(places) > MAX_WIDGETS:
        raise ValidationError({"widgets": [_("Give a list of at most %(count)d widgets.") % {"count": MAX_WIDGETS}]})
    widgets = {widget.pk: widget for widget in dashboard.widgets.select_for_update()}
    moved: list[Widget] = []
    for index, place in enumerate(places):
        prefix = f"widgets.{index}."
        if not isinstance(place, dict) or set(place) - {"id", "x", "y", "width", "height"}:
            raise ValidationError({f"widgets.{index}": [_("Give id, x, y, width and height.")]})
        pk = place.get("id")
        widget = widgets.get(pk) if isinstance(pk, int) else None
        if widget is None:
            raise ValidationError({f"{prefix}id": [_("This dashboard has no such widget.")]})
        for name in ("x", "y", "width", "height"):
            setattr(widget, name, place.get(name, getattr(widget, name)))
        _check_place(widget, prefix)
        moved.append(widget)
    Widget.objects.bulk_update(moved, ["x", "y", "width", "height"])
    emit(f"{ENTITY}.updated", dashboard, entity=ENTITY, actor=by, data={"layout": [w.pk for w in moved]})
    return moved
