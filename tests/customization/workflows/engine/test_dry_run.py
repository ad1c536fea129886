"""A dry run shows what a rule would do and changes nothing."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail

from customization.events.models import DomainEvent
from customization.fields.models import CustomFieldDefinition
from customization.workflows.engine import dry_run
from customization.workflows.models import EmailTemplate, RoundRobinCursor, WorkflowRun, WorkflowStepRun
from identity.models import Team
from modules.activities.models import Activity
from modules.contacts.models import TimelineEntry
from modules.sales.models import Deal
from tests.customization.workflows.engine.conftest import Receiver, make_rule
from tests.factories import ContactFactory, DealFactory
from tests.tenancy import TenantFixture


def _state() -> dict[str, object]:
    return {
        "events": DomainEvent.objects.count(),
        "activities": Activity.objects.count(),
        "timeline": TimelineEntry.objects.count(),
        "runs": WorkflowRun.objects.count(),
        "steps": WorkflowStepRun.objects.count(),
        "cursors": RoundRobinCursor.objects.count(),
        "deals": list(Deal.objects.order_by("id").values_list("id", "description", "amount", "owner_id", "custom")),
    }


def test_a_dry_run_reports_every_step_and_changes_nothing(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="tier", label="Tier", field_type="text")
        template = EmailTemplate.objects.create(name="Hi", subject="About {{ record.name }}", body="Hi")
        team = Team.objects.get(name="Field sales")
        contact = ContactFactory(email="buyer@example.test")
        deal = DealFactory(name="Dry", amount=Decimal("2000"), contact=contact)
        rule = make_rule(
            trigger="record_updated",
            conditions={"match": "all", "conditions": [{"field": "amount", "op": "gt", "value": 1000}]},
            actions=[
                {"type": "update_field", "field": "custom.tier", "value": "gold"},
                {"type": "create_activity", "kind": "task", "subject": "Follow {{ record.name }}"},
                {"type": "assign_round_robin", "team_id": team.pk},
                {"type": "send_email", "template_id": template.pk, "to": "record"},
                {"type": "http_request", "url": receiver.url},
                {"type": "wait", "days": 1},
            ],
        )
        before = _state()

        result = dry_run(rule, deal, by=alpha.user())

        assert result.matched is True
        assert result.conditions["conditions"][0]["matched"] is True
        assert result.errors == []
        assert [(step.action_type, step.status) for step in result.steps] == [
            ("update_field", "simulated"), ("create_activity", "simulated"), ("assign_round_robin", "simulated"),
            ("send_email", "simulated"), ("http_request", "simulated"), ("wait", "simulated"),
        ]  # fmt: skip
        assert result.steps[0].output == {"field": "custom.tier", "old": None, "new": "gold"}
        assert result.steps[1].output["subject"] == "Follow Dry"
        assert result.steps[3].output["to"] == "buyer@example.test"
        assert result.steps[3].output["subject"] == "About Dry"
        assert result.steps[4].output["simulated"] is True
        assert _state() == before
        assert mail.outbox == []
        assert receiver.requests == []


def test_a_dry_run_shows_failing_conditions_and_step_errors(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="seats", label="Seats", field_type="number")
        deal = DealFactory(amount=Decimal("10"))
        rule = make_rule(
            conditions={"match": "any", "conditions": [{"field": "amount", "op": "gt", "value": 1000}]},
            actions=[{"type": "update_field", "field": "custom.seats", "value": "many"}],
        )
        before = _state()

        result = dry_run(rule, deal, by=None)

        assert result.matched is False
        assert result.conditions["conditions"][0]["actual"] == "10.00"
        assert result.steps[0].status == "failed"
        assert result.errors == [f"Step 1: {result.steps[0].error}"]
        assert result.steps[0].error.startswith("custom.seats: ")
        assert _state() == before


def test_a_dry_run_refuses_a_record_of_another_entity(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "update_field", "field": "description", "value": "x"}])
        contact = ContactFactory()

        result = dry_run(rule, contact, by=None)

        assert (result.matched, result.steps) == (False, [])
        assert result.errors == ["The rule is for deal records, not contact."]
