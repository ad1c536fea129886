"""The tenant lifecycle: allowed transitions, the audit trail, read-only tenants."""

import pytest

from identity.models import Team
from tenants.choices import TenantStatus
from tenants.models import TenantStatusChange
from tenants.services.lifecycle import ALLOWED_TRANSITIONS, InvalidTransition, transition_tenant
from tests.tenancy import TenantFixture


def test_the_whole_commercial_lifecycle_is_walkable_and_audited(alpha: TenantFixture):
    tenant = alpha.tenant
    path = ["past_due", "suspended", "active", "cancelled", "deleted"]

    for status in path:
        transition_tenant(tenant, status, actor="ops@relata.test", reason=f"to {status}")

    tenant.refresh_from_db()
    assert tenant.status == TenantStatus.DELETED
    changes = list(TenantStatusChange.objects.filter(tenant=tenant).order_by("id"))
    assert [(c.from_status, c.to_status) for c in changes] == list(zip(["active", *path[:-1]], path, strict=True))
    assert {c.actor for c in changes} == {"ops@relata.test"}


@pytest.mark.parametrize(("start", "target"), [("deleted", "active"), ("trial", "deleted"), ("suspended", "past_due")])
def test_a_forbidden_transition_is_refused_and_leaves_no_trace(alpha: TenantFixture, start: str, target: str):
    tenant = alpha.tenant
    type(tenant).objects.filter(pk=tenant.pk).update(status=start)
    tenant.refresh_from_db()

    with pytest.raises(InvalidTransition, match=f"from {start} to {target}"):
        transition_tenant(tenant, target, actor="ops@relata.test")

    tenant.refresh_from_db()
    assert tenant.status == start
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()


def test_an_unknown_status_is_refused(alpha: TenantFixture):
    with pytest.raises(InvalidTransition):
        transition_tenant(alpha.tenant, "vacation", actor="ops")


def test_every_status_has_a_rule():
    assert set(ALLOWED_TRANSITIONS) == set(TenantStatus.values)


def test_a_suspended_tenant_reads_with_a_banner(alpha: TenantFixture):
    transition_tenant(alpha.tenant, "suspended", actor="billing")

    response = alpha.client().get("/")

    assert response.status_code == 200
    assert "changes are switched off" in response.content.decode()


def test_a_suspended_tenant_refuses_writes_and_changes_nothing(alpha: TenantFixture):
    transition_tenant(alpha.tenant, "suspended", actor="billing")
    client = alpha.client()

    response = client.post("/settings/teams/new/", {"name": "Night shift", "description": ""})

    assert response.status_code == 403
    assert "changes are switched off" in response.content.decode()
    with alpha.active():
        assert not Team.objects.filter(name="Night shift").exists()


def test_a_suspended_tenant_still_lets_users_sign_in(alpha: TenantFixture):
    from tests.tenancy import ADMIN_EMAIL, PASSWORD

    transition_tenant(alpha.tenant, "suspended", actor="billing")
    client = alpha.client(email=None)

    response = client.post("/login/", {"username": ADMIN_EMAIL, "password": PASSWORD})
    home = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert home.status_code == 200
    assert home.wsgi_request.user.email == ADMIN_EMAIL
    assert "changes are switched off" in home.content.decode()


def test_a_past_due_tenant_can_write_and_is_warned(alpha: TenantFixture):
    transition_tenant(alpha.tenant, "past_due", actor="billing")
    client = alpha.client()

    page = client.get("/")
    response = client.post("/settings/teams/new/", {"name": "Night shift", "description": ""})

    assert "payment is overdue" in page.content.decode()
    assert response.status_code == 302
    with alpha.active():
        assert Team.objects.filter(name="Night shift").exists()


def test_a_deleted_tenant_is_not_served(alpha: TenantFixture):
    transition_tenant(alpha.tenant, "cancelled", actor="billing")
    transition_tenant(alpha.tenant, "deleted", actor="ops")

    response = alpha.client(email=None).get("/login/")

    assert response.status_code == 404
    assert "There is no Relata workspace at this address" in response.content.decode()


def test_the_operator_command_moves_a_tenant_and_audits_it(alpha: TenantFixture):
    from io import StringIO

    from django.core.management import call_command

    output = StringIO()
    call_command("set_tenant_status", "alpha", "suspended", actor="ops@relata.test", reason="unpaid", stdout=output)

    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "suspended"
    assert output.getvalue().strip() == "alpha: active → suspended"
    change = TenantStatusChange.objects.get(tenant=alpha.tenant)
    assert (change.actor, change.reason) == ("ops@relata.test", "unpaid")


@pytest.mark.parametrize(
    ("slug", "status", "message"),
    [("alpha", "trial", "cannot go from active to trial"), ("nobody", "active", "no tenant with slug")],
)
def test_the_operator_command_refuses_clearly_and_writes_nothing(alpha: TenantFixture, slug, status, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("set_tenant_status", slug, status, actor="ops@relata.test")

    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "active"
    assert not TenantStatusChange.objects.exists()
