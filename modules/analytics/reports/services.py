"""Writing saved reports: the only code that creates, changes and deletes them. Each write checks
the definition against the writer's own fields, writes a ``report.*`` outbox event in the same
transaction, and sharing a report beyond its owner is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import check_fields
from customization.events.outbox import emit
from identity.models import Role, Team, User
from identity.services.audit import audit
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import access_for, checked

EDITABLE = ("name", "description", "source", "definition", "chart", "sharing", "shared_role", "shared_team")
ENTITY = "report"


def _apply(report: Report, values: dict[str, Any], *, by: User) -> list[str]:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    changed = [name for name, value in values.items() if getattr(report, name) != value]
    for name, value in values.items():
        setattr(report, name, value)
    if report.sharing != Sharing.ROLE:
        report.shared_role = None
    if report.sharing != Sharing.TEAM:
        report.shared_team = None
    errors: dict[str, list[str]] = {}
    if report.sharing == Sharing.ROLE and not isinstance(report.shared_role, Role):
        errors["shared_role"] = [_("Choose the role to share the report with.")]
    if report.sharing == Sharing.TEAM and not isinstance(report.shared_team, Team):
        errors["shared_team"] = [_("Choose the team to share the report with.")]
    if errors:
        raise ValidationError(errors)
    check_fields(report)
    report.full_clean(exclude=["owner", "definition"])
    checked(report.source, report.definition, access_for(by))
    return changed


def _audit_sharing(report: Report, *, by: User) -> None:
    audit(
        "report.shared",
        _("Report %(name)s shared with %(whom)s.") % {"name": report.name, "whom": report.get_sharing_display()},
        by=by,
        target=f"report:{report.pk}",
        details={"sharing": report.sharing, "role": report.shared_role_id, "team": report.shared_team_id},
    )


@transaction.atomic
def create_report(*, by: User, **values: Any) -> Report:
    report = Report(owner=by)
    _apply(report, values, by=by)
    report.save()
    emit(f"{ENTITY}.created", report, entity=ENTITY, actor=by, data={"source": report.source})
    if report.sharing != Sharing.PRIVATE:
        _audit_sharing(report, by=by)
    return report


@transaction.atomic
def update_report(report: Report, *, by: User, **values: Any) -> Report:
    before = (report.sharing, report.shared_role_id, report.shared_team_id)
    changed = _apply(report, values, by=by)
    report.save()
    emit(f"{ENTITY}.updated", report, entity=ENTITY, actor=by, data={"changes": changed})
    if (report.sharing, report.shared_role_id, report.shared_team_id) != before and report.sharing != Sharing.PRIVATE:
        _audit_sharing(report, by=by)
    return report


@transaction.atomic
def delete_report(report: Report, *, by: User) -> None:
    emit(f"{ENTITY}.deleted", report, entity=ENTITY, actor=by, data={"name": report.name})
    report.delete()
