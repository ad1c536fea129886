"""Support impersonation: an operator signs in as a tenant's user for a reason and a limited time;
the tenant sees it in its audit log, and it ends by itself."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from identity.models import AuditEntry, User
from identity.services.audit import record_audit
from identity.views.handoff import IMPERSONATION_SESSION_KEY
from tests.console.conftest import OPERATOR_EMAIL, verified_operator_client
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture


def request_impersonation(operator_client: Client, slug: str = "alpha", **data: str):
    form = {
        "impersonate-email": REP_EMAIL,
        "impersonate-reason": "Ticket 4711: deals vanish",
        "impersonate-minutes": "15",
    }
    form.update({f"impersonate-{key}": value for key, value in data.items()})
    return operator_client.post(f"/console/tenants/{slug}/sign-in-as/", form)


def land(response, host: str) -> Client:
    """Follow the console's redirect onto the tenant host with a fresh browser (no shared cookies)."""
    url = urlsplit(response["Location"])
    client = Client(HTTP_HOST=url.netloc)
    assert client.get(url.path).status_code == 302
    return client


def tenant_audit(tenant: TenantFixture, action: str) -> list[AuditEntry]:
    with tenant.active():
        return list(AuditEntry.objects.filter(action=action))


def test_the_operator_lands_on_the_tenant_host_as_the_user_with_a_banner(operator_client: Client, alpha: TenantFixture):
    response = request_impersonation(operator_client)

    assert response.status_code == 302
    assert response["Location"].startswith("http://alpha.localhost/login/handoff/")
    client = land(response, "alpha.localhost")
    home = client.get("/")
    page = home.content.decode()
    assert home.status_code == 200
    assert home.wsgi_request.user.email == REP_EMAIL
    assert 'data-testid="impersonation-banner"' in page
    assert OPERATOR_EMAIL in page
    assert "Ticket 4711: deals vanish" in page
    with alpha.active():
        started = AuditEntry.objects.get(action="impersonation.started")
    assert (started.actor, started.actor_kind, started.target) == (OPERATOR_EMAIL, "operator", f"user:{REP_EMAIL}")
    with schema_context("public"):
        public_entry = AuditEntry.objects.get(action="impersonation.requested")
    assert (public_entry.actor, public_entry.target) == (OPERATOR_EMAIL, "tenant:alpha")


def test_the_redirect_keeps_the_consoles_scheme_and_port(operator: User, alpha: TenantFixture):
    client = verified_operator_client(operator, host="localhost:8042")

    response = request_impersonation(client)

    assert response["Location"].startswith("http://alpha.localhost:8042/login/handoff/")


def test_the_tenants_audit_log_shows_the_impersonation_by_support(operator_client: Client, alpha: TenantFixture):
    land(request_impersonation(operator_client), "alpha.localhost")

    response = alpha.client(ADMIN_EMAIL).get("/settings/audit-log/")
    page = response.content.decode()

    assert response.status_code == 200
    assert 'data-actor-kind="operator"' in page
    assert "impersonation.started" in page
    assert "Ticket 4711: deals vanish" in page
    assert "Support" in page


def test_the_tenants_audit_log_filters_by_action_and_needs_the_permission(
    operator_client: Client, alpha: TenantFixture, beta: TenantFixture
):
    land(request_impersonation(operator_client), "alpha.localhost")
    with alpha.active():
        record_audit("contact.delete", "Deleted ACME", actor=ADMIN_EMAIL)

    filtered = alpha.client(ADMIN_EMAIL).get("/settings/audit-log/", {"action": "contact.delete"})
    as_rep = alpha.client(REP_EMAIL).get("/settings/audit-log/")
    beta_log = beta.client(ADMIN_EMAIL).get("/settings/audit-log/")

    assert [entry.action for entry in filtered.context["page"]] == ["contact.delete"]
    assert as_rep.status_code == 403
    assert beta_log.status_code == 200
    # Only beta's own entry: the fixture team's members, seeded in every isolation tenant.
    assert [entry.action for entry in beta_log.context["page"]] == ["team.members_changed"]
    assert "Deleted ACME" not in beta_log.content.decode()


def test_when_the_time_is_up_the_next_request_signs_out_and_is_audited(operator_client: Client, alpha: TenantFixture):
    client = land(request_impersonation(operator_client, minutes="15"), "alpha.localhost")
    assert client.get("/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.get("/contacts/companies/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert IMPERSONATION_SESSION_KEY not in client.session
    ended = tenant_audit(alpha, "impersonation.ended")
    assert [(e.actor, e.actor_kind, e.target) for e in ended] == [(OPERATOR_EMAIL, "operator", f"user:{REP_EMAIL}")]
    assert "The support session has ended" in client.get("/login/").content.decode()


def test_within_the_time_the_session_goes_on(operator_client: Client, alpha: TenantFixture):
    client = land(request_impersonation(operator_client, minutes="15"), "alpha.localhost")

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        response = client.get("/")

    assert response.status_code == 200
    assert tenant_audit(alpha, "impersonation.ended") == []


def test_signing_out_ends_the_impersonation(operator_client: Client, alpha: TenantFixture):
    client = land(request_impersonation(operator_client), "alpha.localhost")

    client.post("/logout/")

    assert [e.details["why"] for e in tenant_audit(alpha, "impersonation.ended")] == ["signed out"]


def test_an_ordinary_sign_out_writes_no_impersonation_entry(alpha: TenantFixture):
    alpha.client(REP_EMAIL).post("/logout/")

    assert tenant_audit(alpha, "impersonation.ended") == []


def test_a_token_for_alpha_is_refused_on_betas_host(operator_client: Client, alpha: TenantFixture, beta: TenantFixture):
    response = request_impersonation(operator_client)
    path = urlsplit(response["Location"]).path
    client = Client(HTTP_HOST="beta.localhost")

    refused = client.get(path)

    assert refused.status_code == 400
    assert "_auth_user_id" not in client.session
    assert tenant_audit(beta, "impersonation.started") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", ""), ("minutes", "0"), ("minutes", "61"), ("minutes", "a while"), ("email", "nobody@example.test")],
)
def test_bad_impersonation_requests_name_the_field(
    operator_client: Client, alpha: TenantFixture, field: str, value: str
):
    response = request_impersonation(operator_client, **{field: value})

    assert response.status_code == 400
    assert response.context["impersonate_form"].errors.keys() == {field}
    with schema_context("public"):
        assert not AuditEntry.objects.filter(action="impersonation.requested").exists()


def test_a_tenant_user_cannot_start_an_impersonation_from_the_tenant_host(alpha: TenantFixture):
    response = alpha.client(ADMIN_EMAIL).post(
        "/console/tenants/alpha/sign-in-as/", {"impersonate-email": REP_EMAIL, "impersonate-reason": "x"}
    )

    assert response.status_code == 404
