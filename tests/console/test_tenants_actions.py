"""What an operator does to a tenant: each action changes it through the services, is audited in
the console's log, and bad input is a 400 naming the field with nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_exists

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription
from identity.models import AuditEntry, Team
from tenants.models import Tenant, TenantStatusChange
from tests.console.conftest import OPERATOR_EMAIL
from tests.tenancy import TenantFixture


def audit_of(slug: str) -> list[tuple[str, str, str]]:
    """The console's audit entries about a tenant: (action, actor, actor kind), oldest first."""
    connection.set_schema_to_public()
    entries = AuditEntry.objects.filter(target=f"tenant:{slug}").order_by("at", "id")
    return [(e.action, e.actor, e.actor_kind) for e in entries]


def subscribe(tenant: Tenant, *, plan: str = "growth", trial: bool = False) -> Subscription:
    return start_subscription(
        tenant, Plan.objects.get(key=plan), provider=Provider.MANUAL, currency="EUR", trial=trial, actor="system:test"
    )


def refreshed(tenant: Tenant) -> Tenant:
    return Tenant.objects.get(pk=tenant.pk)


# Suspend and resume


def test_suspending_a_tenant_without_a_subscription(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Abuse report #12"})

    assert response.status_code == 302
    assert response["Location"] == "/console/tenants/alpha/"
    assert refreshed(alpha.tenant).status == "suspended"
    change = TenantStatusChange.objects.filter(tenant=alpha.tenant).first()
    assert (change.to_status, change.actor, change.reason) == ("suspended", OPERATOR_EMAIL, "Abuse report #12")
    assert audit_of("alpha") == [("tenant.suspend", OPERATOR_EMAIL, "operator")]


def test_the_audit_entry_records_the_client_behind_a_trusted_proxy(
    operator_client: Client, alpha: TenantFixture, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    operator_client.post(
        "/console/tenants/alpha/suspend/",
        {"suspend-reason": "Abuse report #13"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
    )

    connection.set_schema_to_public()
    entry = AuditEntry.objects.get(target="tenant:alpha", action="tenant.suspend")
    assert entry.ip_address == "198.51.100.1"


def test_suspending_a_subscribed_tenant_marks_the_subscription(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant)

    operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Chargeback"})

    subscription.refresh_from_db()
    assert subscription.suspended_by_operator is True
    assert subscription.status == "active"
    assert refreshed(alpha.tenant).status == "suspended"


def test_a_suspended_tenant_is_read_only_for_its_users(operator_client: Client, alpha: TenantFixture):
    operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Chargeback"})
    client = alpha.client()

    page = client.get("/")
    write = client.post("/settings/teams/new/", {"name": "Night shift", "description": ""})

    assert 'data-testid="lifecycle-banner"' in page.content.decode()
    assert write.status_code == 403
    assert "changes are switched off" in write.content.decode()
    with alpha.active():
        assert not Team.objects.filter(name="Night shift").exists()


def test_suspending_needs_a_reason(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": ""})

    assert response.status_code == 400
    assert response.context["suspend_form"].errors.keys() == {"reason"}
    assert refreshed(alpha.tenant).status == "active"
    assert audit_of("alpha") == []


def test_suspending_twice_is_refused_with_a_message(operator_client: Client, alpha: TenantFixture):
    operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "First"})

    response = operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Second"})

    assert response.status_code == 400
    assert "Alpha Ltd is already suspended." in response.content.decode()
    assert TenantStatusChange.objects.filter(tenant=alpha.tenant, to_status="suspended").count() == 1


def test_a_cancelled_tenant_cannot_be_suspended(operator_client: Client, alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(status="cancelled")

    response = operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Late"})

    assert response.status_code == 400
    assert "A tenant cannot go from “Cancelled” to “Suspended”." in response.content.decode()
    assert refreshed(alpha.tenant).status == "cancelled"


def test_resuming_lifts_the_operators_suspension(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant)
    operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Chargeback"})

    response = operator_client.post("/console/tenants/alpha/resume/", {"resume-reason": "Paid"})

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.suspended_by_operator is False
    assert refreshed(alpha.tenant).status == "active"
    assert [a for a, _actor, _kind in audit_of("alpha")] == ["tenant.suspend", "tenant.resume"]


def test_resuming_a_tenant_without_a_subscription(operator_client: Client, alpha: TenantFixture):
    operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "Check"})

    operator_client.post("/console/tenants/alpha/resume/", {})

    assert refreshed(alpha.tenant).status == "active"


def test_resuming_a_tenant_that_is_not_suspended_is_refused(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post("/console/tenants/alpha/resume/", {})

    assert response.status_code == 400
    assert "Alpha Ltd is not suspended by an operator." in response.content.decode()
    assert audit_of("alpha") == []


# Trial


def test_extending_a_trial(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant, trial=True)
    before = subscription.trial_ends_at

    response = operator_client.post("/console/tenants/alpha/extend-trial/", {"trial-days": "10"})

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.trial_ends_at == before + timedelta(days=10)
    assert audit_of("alpha") == [("tenant.extend_trial", OPERATOR_EMAIL, "operator")]


@pytest.mark.parametrize("days", ["0", "1000", "-3", "soon", ""])
def test_extending_a_trial_by_a_bad_number_of_days_is_refused(operator_client: Client, alpha: TenantFixture, days):
    subscription = subscribe(alpha.tenant, trial=True)

    response = operator_client.post("/console/tenants/alpha/extend-trial/", {"trial-days": days})

    assert response.status_code == 400
    assert response.context["trial_form"].errors.keys() == {"days"}
    subscription.refresh_from_db()
    assert subscription.trial_ends_at == Subscription.objects.get(pk=subscription.pk).trial_ends_at
    assert audit_of("alpha") == []


def test_only_a_trial_can_be_extended(operator_client: Client, alpha: TenantFixture):
    subscribe(alpha.tenant, trial=False)

    response = operator_client.post("/console/tenants/alpha/extend-trial/", {"trial-days": "5"})

    assert response.status_code == 400
    assert "Only a subscription in its trial" in response.content.decode()


# Plan


def test_changing_the_plan_of_a_subscribed_tenant(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant, plan="starter")

    response = operator_client.post(
        "/console/tenants/alpha/plan/",
        {"plan-plan": "enterprise", "plan-remove_modules": ["analytics"], "plan-reason": "Upsell"},
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.plan.key == "enterprise"
    assert subscription.module_overrides == {"remove": ["analytics"]}
    assert "analytics" not in refreshed(alpha.tenant).enabled_modules
    assert audit_of("alpha") == [("tenant.change_plan", OPERATOR_EMAIL, "operator")]


def test_choosing_a_plan_for_a_tenant_without_a_subscription_starts_a_manual_one(
    operator_client: Client, alpha: TenantFixture
):
    response = operator_client.post("/console/tenants/alpha/plan/", {"plan-plan": "growth"})

    assert response.status_code == 302
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.plan.key, subscription.provider, subscription.status) == ("growth", "manual", "active")
    assert subscription.seats == 2  # alpha's two active users
    assert refreshed(alpha.tenant).status == "active"


def test_an_unknown_plan_is_refused(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post("/console/tenants/alpha/plan/", {"plan-plan": "platinum"})

    assert response.status_code == 400
    assert response.context["plan_form"].errors.keys() == {"plan"}
    assert "There is no such plan." in response.content.decode()
    assert not Subscription.objects.filter(tenant=alpha.tenant).exists()


def test_a_module_cannot_be_both_added_and_removed(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post(
        "/console/tenants/alpha/plan/",
        {"plan-plan": "growth", "plan-add_modules": ["service"], "plan-remove_modules": ["service"]},
    )

    assert response.status_code == 400
    assert response.context["plan_form"].errors.keys() == {"remove_modules"}


# Provisioning


def test_provisioning_a_requested_tenant_is_queued_after_commit(
    operator_client: Client, alpha: TenantFixture, django_capture_on_commit_callbacks
):
    tenant = Tenant.objects.create(name="Gamma", slug="gamma", schema_name="gamma")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = operator_client.post("/console/tenants/gamma/provision/")

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert audit_of("gamma") == [("tenant.provision", OPERATOR_EMAIL, "operator")]
    assert refreshed(tenant).provisioning_state == "requested"


def test_provisioning_an_active_tenant_is_refused(
    operator_client: Client, alpha: TenantFixture, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = operator_client.post("/console/tenants/alpha/provision/")

    assert response.status_code == 400
    assert "Alpha Ltd is already provisioned." in response.content.decode()
    assert callbacks == []


# Deletion


def test_deleting_with_the_wrong_slug_deletes_nothing(operator_client: Client, alpha: TenantFixture):
    response = operator_client.post("/console/tenants/alpha/delete/", {"delete-confirm_slug": "beta"})

    assert response.status_code == 400
    assert response.context["delete_form"].errors.keys() == {"confirm_slug"}
    assert refreshed(alpha.tenant).status == "active"
    assert schema_exists("alpha")
    assert audit_of("alpha") == []


def test_deleting_with_the_slug_typed_purges_the_data_and_keeps_the_row(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant)

    response = operator_client.post(
        "/console/tenants/alpha/delete/", {"delete-confirm_slug": "alpha", "delete-reason": "Asked to leave"}
    )

    assert response.status_code == 302
    tenant = refreshed(alpha.tenant)
    assert tenant.status == "deleted"
    assert not schema_exists("alpha")
    assert not tenant.domains.exists()
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert ("tenant.deleted", OPERATOR_EMAIL, "operator") in audit_of("alpha")
    assert operator_client.get("/console/tenants/alpha/").status_code == 200
    assert schema_exists("beta")


def test_a_deleted_tenant_takes_no_more_actions(operator_client: Client, alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(status="deleted")

    suspend = operator_client.post("/console/tenants/alpha/suspend/", {"suspend-reason": "x"})
    plan = operator_client.post("/console/tenants/alpha/plan/", {"plan-plan": "growth"})
    delete = operator_client.post("/console/tenants/alpha/delete/", {"delete-confirm_slug": "alpha"})

    assert [suspend.status_code, plan.status_code, delete.status_code] == [400, 400, 400]
    assert schema_exists("alpha")
    assert not Subscription.objects.filter(tenant=alpha.tenant).exists()


def test_actions_only_answer_to_post(operator_client: Client, alpha: TenantFixture):
    assert operator_client.get("/console/tenants/alpha/suspend/").status_code == 405
    assert refreshed(alpha.tenant).status == "active"


def test_an_action_on_one_tenant_leaves_the_other_alone(
    operator_client: Client, alpha: TenantFixture, beta: TenantFixture
):
    operator_client.post("/console/tenants/beta/suspend/", {"suspend-reason": "Only beta"})

    assert refreshed(alpha.tenant).status == "active"
    assert refreshed(beta.tenant).status == "suspended"
    assert audit_of("alpha") == []


def test_trial_end_is_shown_on_the_tenant_page(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant, trial=True)

    page = operator_client.get("/console/tenants/alpha/").content.decode()

    assert subscription.trial_ends_at > timezone.now()
    assert 'data-testid="trial-form"' in page


def test_a_plan_without_a_price_in_the_subscriptions_currency_is_refused(operator_client: Client, alpha: TenantFixture):
    subscription = subscribe(alpha.tenant, plan="starter")
    Plan.objects.create(key="unpriced", name="Unpriced", modules=["sales"])

    response = operator_client.post("/console/tenants/alpha/plan/", {"plan-plan": "unpriced"})

    assert response.status_code == 400
    assert "The Unpriced plan has no monthly price in EUR." in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.plan.key == "starter"
    assert audit_of("alpha") == []
