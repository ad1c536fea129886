"""Each action's effect and its step log, retries, failures and waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from customization.events.models import DomainEvent
from customization.fields.models import CustomFieldDefinition
from customization.workflows.choices import RunStatus
from customization.workflows.engine.runner import execute_run
from customization.workflows.models import EmailTemplate, WorkflowRun
from identity.models import Team, User
from modules.activities.models import Activity
from modules.contacts.services.contacts import create_contact
from modules.sales.services.deals import create_deal
from modules.sales.services.orders import create_order
from tests.customization.workflows.engine.conftest import Receiver, drive, make_rule, run_after_commit_deliveries
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture


def test_update_field_sets_a_custom_field_through_the_service(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="tier", label="Tier", field_type="text")
        rule = make_rule(actions=[{"type": "update_field", "field": "custom.tier", "value": "gold"}])

        deal = create_deal(by=None, name="Tiered")
        drive()

        deal.refresh_from_db()
        assert deal.custom == {"tier": "gold"}
        step = WorkflowRun.objects.get(rule=rule).steps.get()
        assert (step.status, step.attempts, step.output) == (
            "succeeded",
            1,
            {"field": "custom.tier", "old": None, "new": "gold"},
        )
        event = DomainEvent.objects.get(type="deal.updated", record_id=deal.pk)
        assert (event.depth, event.caused_by_run_id) == (1, step.run_id)


def test_a_refused_value_fails_the_run_with_the_field_named(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="seats", label="Seats", field_type="number")
        rule = make_rule(actions=[{"type": "update_field", "field": "custom.seats", "value": "lots"}])

        deal = create_deal(by=None, name="Bad value")
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        step = run.steps.get()
        assert (run.status, step.status, step.attempts) == ("failed", "failed", 1)
        assert step.error.startswith("custom.seats: ")
        assert run.message.startswith("Step 1 (update_field) failed: custom.seats: ")
        deal.refresh_from_db()
        assert deal.custom == {}


def test_create_activity_links_the_record_with_merge_fields_and_due_time(alpha: TenantFixture) -> None:
    with alpha.active():
        owner = alpha.user()
        rule = make_rule(
            actions=[{
                "type": "create_activity", "kind": "call", "subject": "Call about {{ record.name }}",
                "due_in": {"days": 2, "hours": 3}, "assignee": "record_owner",
            }]
        )  # fmt: skip
        before = timezone.now()

        deal = create_deal(by=owner, name="Acme renewal")
        drive()

        activity = Activity.objects.get(deal=deal)
        assert (activity.kind, activity.subject, activity.assignee) == ("call", "Call about Acme renewal", owner)
        assert before + timedelta(days=2, hours=3) <= activity.due_at <= timezone.now() + timedelta(days=2, hours=3)
        assert WorkflowRun.objects.get(rule=rule).steps.get().output["activity_id"] == activity.pk


def test_create_activity_on_an_order_goes_on_its_company_and_contact(alpha: TenantFixture) -> None:
    with alpha.active():
        owner = alpha.user()
        company = CompanyFactory(owner=owner)
        contact = ContactFactory(owner=owner, company=company)
        make_rule(
            entity="order", actions=[{"type": "create_activity", "kind": "task", "subject": "Ship {{ record.number }}"}]
        )

        order = create_order(by=owner, company=company, contact=contact)
        drive()

        activity = Activity.objects.get(subject=f"Ship {order.number}")
        assert (activity.company, activity.contact, activity.deal, activity.lead) == (company, contact, None, None)
        assert activity.assignee == owner


def test_round_robin_rotates_through_active_team_members(alpha: TenantFixture) -> None:
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        members = list(User.objects.filter(teams=team, is_active=True).order_by("id"))
        assert len(members) == 2
        make_rule(entity="contact", actions=[{"type": "assign_round_robin", "team_id": team.pk}])

        contacts = [create_contact(by=None, allow_duplicate=True, last_name=f"Lead {index}") for index in range(3)]
        drive()

        owners = [type(contact).objects.get(pk=contact.pk).owner_id for contact in contacts]
        assert owners == [members[0].pk, members[1].pk, members[0].pk]


def test_send_email_fills_merge_fields_and_sends_once(alpha: TenantFixture, django_capture_on_commit_callbacks) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="contact", key="plan", label="Plan", field_type="text")
        template = EmailTemplate.objects.create(
            name="Welcome", subject="Welcome {{ record.first_name }}",
            body="Hello {{ record.full_name }}, plan {{ record.custom.plan }}. {{ owner.first_name }}",
        )  # fmt: skip
        rule = make_rule(entity="contact", actions=[{"type": "send_email", "template_id": template.pk, "to": "record"}])
        owner = alpha.user("rep@example.test")

        create_contact(by=owner, first_name="Ana", last_name="<Pop>", email="ana@example.test", custom={"plan": "Pro"})
        with django_capture_on_commit_callbacks() as callbacks:
            drive()
        run_after_commit_deliveries(callbacks)

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert (message.to, message.subject) == (["ana@example.test"], "Welcome Ana")
        assert message.body == "Hello Ana <Pop>, plan Pro. Rita"
        step = WorkflowRun.objects.get(rule=rule).steps.get()
        assert message.extra_headers["X-Relata-Step"] == str(step.pk)
        assert step.output["to"] == "ana@example.test"


def test_send_email_without_an_address_fails_and_sends_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        template = EmailTemplate.objects.create(name="T", subject="S", body="B")
        rule = make_rule(entity="contact", actions=[{"type": "send_email", "template_id": template.pk, "to": "record"}])

        create_contact(by=None, last_name="No mail")
        drive()

        assert WorkflowRun.objects.get(rule=rule).status == "failed"
        assert mail.outbox == []


def test_http_request_posts_the_event_and_record_with_an_idempotency_key(
    alpha: TenantFixture, receiver: Receiver
) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "http_request", "url": receiver.url, "headers": {"X-Token": "t"}}])

        deal = create_deal(by=None, name="Hooked")
        drive()

        step = WorkflowRun.objects.get(rule=rule).steps.get()
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert request["headers"]["Idempotency-Key"] == str(step.pk)
        assert request["headers"]["X-Token"] == "t"
        assert request["json"]["event"]["type"] == "deal.created"
        assert request["json"]["record"]["id"] == deal.pk
        assert request["json"]["record"]["name"] == "Hooked"
        assert (step.status, step.output["status"]) == ("succeeded", 200)


def test_http_5xx_is_retried_with_backoff_then_succeeds(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        receiver.statuses = [503]
        rule = make_rule(actions=[{"type": "http_request", "url": receiver.url}])
        create_deal(by=None, name="Flaky")
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert run.status == "waiting"
        assert run.message == (
            "Step 1 (http_request) failed: 127.0.0.1 answered 503. Trying again in 10 s (attempt 2)."
        )
        assert timezone.now() < run.resume_at <= timezone.now() + timedelta(seconds=10)
        assert execute_run(run.pk) is None  # not due yet

        WorkflowRun.objects.filter(pk=run.pk).update(resume_at=timezone.now())
        assert execute_run(run.pk) == "succeeded"

        step = run.steps.get()
        assert (step.attempts, step.status, step.error) == (2, "succeeded", "")
        keys = {request["headers"]["Idempotency-Key"] for request in receiver.requests}
        assert (len(receiver.requests), keys) == (2, {str(step.pk)})


def test_http_failing_every_attempt_fails_the_run(alpha: TenantFixture, receiver: Receiver, settings) -> None:
    settings.WORKFLOW_MAX_ATTEMPTS = 3
    with alpha.active():
        receiver.statuses = [500, 502, 504]
        rule = make_rule(actions=[{"type": "http_request", "url": receiver.url}, {"type": "wait", "hours": 1}])
        create_deal(by=None, name="Down")
        drive()
        run = WorkflowRun.objects.get(rule=rule)
        for _attempt in range(2):
            WorkflowRun.objects.filter(pk=run.pk).update(resume_at=timezone.now())
            execute_run(run.pk)

        run.refresh_from_db()
        step = run.steps.get()
        assert (run.status, step.status, step.attempts) == ("failed", "failed", 3)
        assert step.error == "127.0.0.1 answered 504."
        assert run.message == "Step 1 (http_request) failed after 3 attempts: 127.0.0.1 answered 504."
        assert run.next_step == 0


def test_http_to_an_internal_address_is_refused(alpha: TenantFixture, receiver: Receiver, settings) -> None:
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    with alpha.active():
        rule = make_rule(actions=[{"type": "http_request", "url": receiver.url}])
        create_deal(by=None, name="Internal")
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert run.status == "failed"
        assert run.steps.get().error == (
            "127.0.0.1 resolves to an internal address (127.0.0.1); requests there are refused."
        )
        assert receiver.requests == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://10.0.0.1/", "http://[::1]:8000/"])
def test_http_refuses_link_local_private_and_loopback(url: str, alpha: TenantFixture, settings) -> None:
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    with alpha.active():
        rule = make_rule(actions=[{"type": "http_request", "url": url}])
        create_deal(by=None, name="Metadata")
        drive()

        step = WorkflowRun.objects.get(rule=rule).steps.get()
        assert (step.status, step.attempts) == ("failed", 1)
        assert "internal address" in step.error


def test_wait_pauses_the_run_and_resumes_at_the_next_step(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(
            actions=[
                {"type": "wait", "hours": 2},
                {"type": "update_field", "field": "description", "value": "after the wait"},
            ]
        )
        deal = create_deal(by=None, name="Patient")
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert (run.status, run.next_step) == ("waiting", 1)
        assert timezone.now() + timedelta(hours=1, minutes=59) < run.resume_at <= timezone.now() + timedelta(hours=2)
        assert execute_run(run.pk) is None
        deal.refresh_from_db()
        assert deal.description == ""

        WorkflowRun.objects.filter(pk=run.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
        assert execute_run(run.pk) == "succeeded"
        deal.refresh_from_db()
        assert deal.description == "after the wait"
        assert list(run.steps.values_list("position", "status")) == [(0, "succeeded"), (1, "succeeded")]


def test_a_deleted_record_skips_the_run(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "update_field", "field": "description", "value": "x"}])
        deal = create_deal(by=None, name="Gone")
        deal.delete()

        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert (run.status, run.message) == ("skipped", "The record was deleted before the run started.")
        assert not run.steps.exists()


def test_a_finished_run_is_not_run_again(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "create_activity", "kind": "task", "subject": "Once"}])
        deal = create_deal(by=None, name="Once")
        drive()
        run = WorkflowRun.objects.get(rule=rule)

        assert execute_run(run.pk) is None

        assert run.status == RunStatus.SUCCEEDED
        assert Activity.objects.filter(deal=deal, subject="Once").count() == 1


def test_a_run_of_another_tenant_is_not_found(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "create_activity", "kind": "task", "subject": "Alpha only"}])
        create_deal(by=None, name="Alpha deal")
        from customization.events.dispatcher import dispatch_pending

        dispatch_pending()
        run_id = WorkflowRun.objects.get(rule=rule).pk
    with beta.active():
        assert execute_run(run_id) is None
        assert not Activity.objects.filter(subject="Alpha only").exists()
    with alpha.active():
        assert WorkflowRun.objects.get(pk=run_id).status == "pending"
        assert not Activity.objects.filter(subject="Alpha only").exists()
