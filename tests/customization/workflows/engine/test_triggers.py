"""Which events start which rules, once per rule and event."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from customization.events.outbox import emit
from customization.fields.models import CustomFieldDefinition
from customization.workflows.consumer import start_workflow_runs
from customization.workflows.engine.dates import fire_date_rules
from customization.workflows.models import WorkflowRun
from modules.contacts.services.contacts import create_contact, update_contact
from modules.sales.models import Stage
from modules.sales.services.deals import create_deal, move_deal_to_stage, update_deal
from modules.sales.services.leads import create_lead
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import TenantFixture

SET_DESCRIPTION = [{"type": "update_field", "field": "description", "value": "touched by a rule"}]


def test_record_created_runs_the_rule_on_the_new_record(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(entity="contact", trigger="record_created", actions=SET_DESCRIPTION)

        contact = create_contact(by=alpha.user(), first_name="Ana", last_name="Pop")
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert (run.status, run.record_id, run.depth, run.message) == ("succeeded", contact.pk, 0, "")
        contact.refresh_from_db()
        assert contact.description == "touched by a rule"
        assert run.steps.get().status == "succeeded"


def test_record_updated_runs_on_updates_and_not_on_creation(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(entity="contact", trigger="record_updated", actions=SET_DESCRIPTION)
        contact = create_contact(by=alpha.user(), first_name="Ana", last_name="Pop")
        drive()
        assert not WorkflowRun.objects.filter(rule=rule).exists()

        update_contact(contact, by=alpha.user(), job_title="CFO")
        drive()

        run = WorkflowRun.objects.get(rule=rule, depth=0)
        assert run.status == "succeeded"
        assert run.event is not None
        assert run.event.type == "contact.updated"
        assert run.event.data["changes"][0]["field"] == "job_title"
        # The rule's own edit is an update too: it runs once more, changes nothing, and stops.
        assert list(WorkflowRun.objects.filter(rule=rule, depth=1).values_list("status", flat=True)) == ["succeeded"]
        assert not WorkflowRun.objects.filter(rule=rule, depth=2).exists()


def test_field_changed_fires_only_for_its_field_including_custom_fields(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="region", label="Region", field_type="text")
        on_amount = make_rule(trigger="field_changed", trigger_config={"field": "amount"}, actions=SET_DESCRIPTION)
        on_region = make_rule(
            trigger="field_changed", trigger_config={"field": "custom.region"}, actions=SET_DESCRIPTION
        )
        deal = DealFactory(amount=Decimal("10"))

        update_deal(deal, by=None, name="Renamed")
        drive()
        assert WorkflowRun.objects.filter(rule__in=[on_amount, on_region]).count() == 0

        update_deal(deal, by=None, custom={"region": "North"})
        drive()
        assert WorkflowRun.objects.filter(rule=on_region).count() == 1
        assert WorkflowRun.objects.filter(rule=on_amount).count() == 0

        update_deal(deal, by=None, amount=Decimal("99"))
        drive()
        assert WorkflowRun.objects.filter(rule=on_amount, status="succeeded").count() == 1


def test_stage_entered_fires_for_its_stage_only(alpha: TenantFixture) -> None:
    with alpha.active():
        deal = DealFactory(
            company=CompanyFactory(),
            contact=ContactFactory(),
            expected_close_date=timezone.localdate(),
            description="Set",
        )
        later = list(Stage.objects.filter(pipeline=deal.pipeline, kind="open").exclude(pk=deal.stage_id))
        target, other = later[0], later[1]
        rule = make_rule(trigger="stage_entered", trigger_config={"stage_id": target.pk}, actions=SET_DESCRIPTION)

        move_deal_to_stage(deal, other, by=None)
        drive()
        assert not WorkflowRun.objects.filter(rule=rule).exists()

        move_deal_to_stage(deal, target, by=None)
        drive()
        assert WorkflowRun.objects.get(rule=rule).status == "succeeded"


def test_form_submitted_matches_the_configured_form(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(entity="lead", trigger="form_submitted", trigger_config={"form": "demo-request"})
        lead = create_lead(by=None, last_name="Form")
        emit("form.submitted", lead, entity="lead", data={"form": "newsletter"})
        drive()
        assert not WorkflowRun.objects.filter(rule=rule).exists()

        emit("form.submitted", lead, entity="lead", data={"form": "demo-request"})
        drive()

        assert WorkflowRun.objects.get(rule=rule).record_id == lead.pk


def test_inactive_rules_and_other_entities_do_not_run(alpha: TenantFixture) -> None:
    with alpha.active():
        inactive = make_rule(entity="contact", is_active=False)
        for_deals = make_rule(entity="deal")

        create_contact(by=None, last_name="Nobody")
        drive()

        assert not WorkflowRun.objects.filter(rule__in=[inactive, for_deals]).exists()


def test_events_offered_twice_start_one_run_each(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(entity="contact")
        first = create_contact(by=None, last_name="One")
        second = create_contact(by=None, last_name="Two")
        events = list(DomainEvent.objects.filter(type="contact.created", record_id__in=[first.pk, second.pk]))

        start_workflow_runs(events)
        start_workflow_runs(events)
        dispatch_pending()

        runs = WorkflowRun.objects.filter(rule=rule)
        assert sorted(runs.values_list("record_id", flat=True)) == sorted([first.pk, second.pk])
        assert {run.trigger_key for run in runs} == {str(event.event_id) for event in events}


def test_a_rule_that_triggers_itself_stops_at_the_depth_limit(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(
            trigger="record_updated",
            actions=[
                {"type": "update_field", "field": "probability", "value": 10},
                {"type": "update_field", "field": "probability", "value": 20},
            ],
        )
        deal = DealFactory()

        update_deal(deal, by=None, name="Start the loop")
        drive()

        runs = WorkflowRun.objects.filter(rule=rule)
        # Each run changes the deal twice, so each level has twice the runs of the one before.
        assert sorted(runs.filter(status="succeeded").values_list("depth", flat=True)) == sorted(
            depth for depth in range(5) for _run in range(2**depth)
        )
        stopped = runs.filter(status="skipped")
        assert stopped.count() == 32
        assert set(stopped.values_list("depth", flat=True)) == {5}
        assert set(stopped.values_list("message", flat=True)) == {
            "Stopped: this rule was triggered by workflow actions 5 levels deep."
        }
        assert not stopped.filter(steps__isnull=False).exists()
        assert not DomainEvent.objects.filter(type="deal.updated", depth__gt=5).exists()


def test_the_rate_limit_skips_runs_with_a_log_entry(alpha: TenantFixture, settings) -> None:
    settings.WORKFLOW_RUNS_PER_MINUTE = 2
    with alpha.active():
        rule = make_rule(entity="contact", actions=SET_DESCRIPTION)
        contacts = [create_contact(by=None, allow_duplicate=True, last_name=f"Rate {index}") for index in range(3)]

        drive()

        runs = {run.record_id: run for run in WorkflowRun.objects.filter(rule=rule)}
        assert [runs[contact.pk].status for contact in contacts] == ["succeeded", "succeeded", "skipped"]
        assert runs[contacts[2].pk].message == (
            "Skipped: this workspace started more than 2 workflow runs this minute (rate limit)."
        )
        contacts[2].refresh_from_db()
        assert contacts[2].description == ""


def test_date_reached_fires_once_per_record_and_date_from_activation_on(alpha: TenantFixture) -> None:
    with alpha.active():
        today = timezone.localdate()
        rule = make_rule(
            trigger="date_reached", trigger_config={"field": "expected_close_date", "offset_days": -3},
            actions=SET_DESCRIPTION,
        )  # fmt: skip
        due = DealFactory(expected_close_date=today + timedelta(days=3))
        not_yet = DealFactory(expected_close_date=today + timedelta(days=4))
        long_ago = DealFactory(expected_close_date=today - timedelta(days=30))

        first = fire_date_rules(today=today)
        again = fire_date_rules(today=today)

        assert [(run.record_id, run.trigger_key) for run in first] == [
            (due.pk, f"date:{due.pk}:{due.expected_close_date.isoformat()}")
        ]
        assert again == []
        assert not WorkflowRun.objects.filter(record_id__in=[not_yet.pk, long_ago.pk], rule=rule).exists()


def test_date_reached_on_a_custom_date_field(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="contact", key="renewal", label="Renewal", field_type="date")
        today = timezone.localdate()
        rule = make_rule(
            entity="contact", trigger="date_reached", trigger_config={"field": "custom.renewal", "offset_days": 0}
        )
        due = ContactFactory(custom={"renewal": today.isoformat()})
        ContactFactory(custom={"renewal": (today + timedelta(days=1)).isoformat()})

        runs = fire_date_rules(today=today)

        assert [(run.rule_id, run.record_id) for run in runs] == [(rule.pk, due.pk)]


def test_create_deal_event_starts_a_run_in_its_own_tenant_only(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        alpha_rule = make_rule(actions=SET_DESCRIPTION)
    with beta.active():
        deal = create_deal(by=None, name="Beta deal")
        drive()
        assert not WorkflowRun.objects.exists()
    with alpha.active():
        assert not WorkflowRun.objects.filter(rule=alpha_rule).exists()
    with beta.active():
        deal.refresh_from_db()
        assert deal.description == ""
