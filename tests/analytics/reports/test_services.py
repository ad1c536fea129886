"""Saving reports: the services check the definition against the writer's fields, write an outbox
event, audit sharing, and write nothing when they refuse."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from identity.models import AuditEntry, Role
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import reports_for
from modules.analytics.reports.services import create_report, delete_report, update_report
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture

COUNT_BY_OWNER = {"group_by": [{"field": "owner"}], "measures": [{"fn": "count"}]}


def test_a_report_is_saved_with_an_event_and_sharing_is_audited(alpha: TenantFixture, world: World):
    with alpha.active():
        report = create_report(by=world.mara, name="Deals per owner", source="deals", definition=COUNT_BY_OWNER,
                               chart="bar", sharing="team", shared_team=world.team)  # fmt: skip

        assert DomainEvent.objects.filter(type="report.created", record_id=report.pk, entity="report").count() == 1
        assert AuditEntry.objects.filter(action="report.shared", target=f"report:{report.pk}").count() == 1
        assert list(reports_for(world.ana)) == [report]
        assert list(reports_for(world.cid)) == []

        update_report(report, by=world.mara, name="Per owner", sharing="private")
        assert DomainEvent.objects.filter(type="report.updated", record_id=report.pk).count() == 1
        assert list(reports_for(world.ana)) == []

        report_id = report.pk
        delete_report(report, by=world.mara)
        assert DomainEvent.objects.filter(type="report.deleted", record_id=report_id).count() == 1
        assert not Report.objects.exists()


def test_sharing_with_a_role_reaches_its_members_only(alpha: TenantFixture, world: World):
    with alpha.active():
        rep = Role.objects.get(key="sales_rep")
        report = create_report(by=world.mara, name="Shared", source="deals", definition=COUNT_BY_OWNER,
                               sharing="role", shared_role=rep)  # fmt: skip

        assert list(reports_for(world.cid)) == [report]
        assert list(reports_for(world.admin)) == []


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"name": "", "source": "deals", "definition": COUNT_BY_OWNER}, "name"),
        ({"name": "x" * 201, "source": "deals", "definition": COUNT_BY_OWNER}, "name"),
        ({"name": "Bad\x00", "source": "deals", "definition": COUNT_BY_OWNER}, "name"),
        ({"name": "R", "source": "planets", "definition": COUNT_BY_OWNER}, "source"),
        ({"name": "R", "source": "deals", "definition": {"group_by": [{"field": "nope"}]}}, "group_by.0.field"),
        ({"name": "R", "source": "deals", "definition": COUNT_BY_OWNER, "chart": "radar"}, "chart"),
        ({"name": "R", "source": "deals", "definition": COUNT_BY_OWNER, "sharing": "role"}, "shared_role"),
        ({"name": "R", "source": "deals", "definition": COUNT_BY_OWNER, "owner": 1}, "owner"),
    ],
)
def test_a_refused_report_names_the_field_and_writes_nothing(alpha: TenantFixture, world: World, values, key):
    with alpha.active():
        events = DomainEvent.objects.count()
        with pytest.raises(ValidationError) as refused:
            create_report(by=world.mara, **values)

        assert key in refused.value.message_dict
        assert not Report.objects.exists()
        assert DomainEvent.objects.count() == events
