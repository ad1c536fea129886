"""Portal users through REST and GraphQL: service admins invite contacts (the sign-in link is
e-mailed, never answered), make them company admins and deactivate them (their sessions end);
password hashes and links never show; roles, key scopes, another tenant and query counts."""

from __future__ import annotations

import pytest
from django.core import mail
from graphql_relay import to_global_id

from identity.models import AuditEntry
from modules.service.portal.models import PortalSession, PortalSignInLink, PortalUser
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    patch,
    post,
    queries_for,
)
from tests.api.service.helpers import service_agent, top_fields
from tests.factories import CompanyFactory, ContactFactory
from tests.marketing.consent.conftest import written
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture, schema_snapshot

pytestmark = pytest.mark.usefixtures("eager_tasks")
INVITE = """mutation($input: PortalUserInput!) { portalUserInvite(input: $input) {
    portalUser { id email isCompanyAdmin isActive hasPassword contact { id } } errors { field code } } }"""


def test_an_admin_invites_changes_and_deactivates_a_portal_user(
    alpha: TenantFixture, django_capture_on_commit_callbacks
) -> None:
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(), email="ana@people.example")
    client = api_client(alpha)

    with django_capture_on_commit_callbacks(execute=True):
        invited = post(client, "/api/v1/portal-users/", {"contact": contact.pk, "is_company_admin": True})
    portal_user_id = invited.json()["id"]
    link = mail.outbox[-1].body
    with alpha.active():
        PortalUser.objects.filter(pk=portal_user_id).update(password="argon2$secret-hash")
    demoted = patch(client, f"/api/v1/portal-users/{portal_user_id}/", {"is_company_admin": False})
    deactivated = patch(client, f"/api/v1/portal-users/{portal_user_id}/", {"is_active": False})
    detail = client.get(f"/api/v1/portal-users/{portal_user_id}/")

    assert invited.status_code == 201, invited.content
    assert invited.json()["email"] == "ana@people.example"
    assert invited.json()["contact"]["id"] == contact.pk
    assert [message.to for message in mail.outbox] == [["ana@people.example"]]
    assert "/portal/link/" in link
    assert "/portal/link/" not in invited.content.decode()
    assert demoted.json()["is_company_admin"] is False
    assert deactivated.json()["is_active"] is False
    assert detail.json()["has_password"] is True
    assert "password" not in detail.json()
    assert b"secret-hash" not in detail.content
    assert client.delete(f"/api/v1/portal-users/{portal_user_id}/").status_code == 405
    with alpha.active():
        assert not PortalSignInLink.objects.filter(portal_user=portal_user_id, used_at__isnull=True).exists()
        actions = list(AuditEntry.objects.filter(action__startswith="portal.user").values_list("action", flat=True))
    assert sorted(actions) == ["portal.user_changed", "portal.user_changed", "portal.user_invited"]


def test_deactivating_ends_the_customers_sessions(alpha: TenantFixture) -> None:
    portal_user = make_portal_user(alpha, email="bo@people.example")
    customer = portal_client(alpha, portal_user)
    assert customer.get("/portal/").status_code == 200

    response = post_graphql(
        alpha.client(),
        "mutation($id: ID!) { portalUserUpdate(id: $id, input: {isActive: false}) { portalUser { isActive } "
        "errors { field } } }",
        {"id": to_global_id("PortalUser", portal_user.pk)},
    ).json()

    assert response["data"]["portalUserUpdate"] == {"portalUser": {"isActive": False}, "errors": []}
    assert customer.get("/portal/").status_code in (302, 403)
    with alpha.active():
        assert not PortalSession.objects.filter(portal_user=portal_user).exists()


def test_graphql_invites_and_lists_portal_users(alpha: TenantFixture, django_capture_on_commit_callbacks) -> None:
    with alpha.active():
        contact = ContactFactory(email="cy@people.example")
    client = alpha.client()

    with django_capture_on_commit_callbacks(execute=True):
        made = post_graphql(client, INVITE, {"input": {"contact": to_global_id("Contact", contact.pk)}}).json()
    twice = post_graphql(client, INVITE, {"input": {"contact": to_global_id("Contact", contact.pk)}}).json()
    listed = post_graphql(client, "{ portalUsers(first: 5, isActive: true) { edges { node { email } } } }").json()

    payload = made["data"]["portalUserInvite"]
    assert payload["errors"] == []
    assert payload["portalUser"]["email"] == "cy@people.example"
    assert payload["portalUser"]["hasPassword"] is False
    assert [error["field"] for error in twice["data"]["portalUserInvite"]["errors"]] == ["contact"]
    assert [edge["node"]["email"] for edge in listed["data"]["portalUsers"]["edges"]] == ["cy@people.example"]
    assert len(mail.outbox) == 1


def test_bad_invitations_are_a_400_naming_the_field_and_write_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        without_email = ContactFactory(email="")
        loner = ContactFactory(email="loner@people.example", company=None)
    existing = make_portal_user(alpha, email="taken@people.example")
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    for body, field in [
        ({}, "contact"),
        ({"contact": without_email.pk}, "contact"),
        ({"contact": existing.contact_id}, "contact"),
        ({"contact": loner.pk, "is_company_admin": True}, "is_company_admin"),
        ({"contact": loner.pk, "is_active": False}, "is_active"),
        ({"contact": "x\x00"}, "contact"),
        ({"contact": 10**12}, "contact"),
    ]:
        response = post(client, "/api/v1/portal-users/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    changed = patch(client, f"/api/v1/portal-users/{existing.pk}/", {"contact": loner.pk})
    assert changed.status_code == 400
    assert "contact" in top_fields(changed)
    assert schema_snapshot(alpha.tenant) == before


def test_only_service_admins_with_the_scope_manage_portal_users(alpha: TenantFixture) -> None:
    service_agent(alpha)
    existing = make_portal_user(alpha, email="dee@people.example")
    with alpha.active():
        contact = ContactFactory(email="eve@people.example")
    agent = api_client(alpha, "agent@example.test")
    _key, read_only = issue_key(alpha, scopes=("service:read", "contacts:read"))
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="Contacts")
    reader, other = bearer_client(alpha, read_only), bearer_client(alpha, contacts_only)
    before = written(alpha)

    assert agent.get("/api/v1/portal-users/").status_code == 403
    assert agent.get(f"/api/v1/portal-users/{existing.pk}/").status_code == 403
    assert post(agent, "/api/v1/portal-users/", {"contact": contact.pk}).status_code == 403
    assert patch(agent, f"/api/v1/portal-users/{existing.pk}/", {"is_active": False}).status_code == 403
    assert reader.get("/api/v1/portal-users/").status_code == 200
    refused = post(reader, "/api/v1/portal-users/", {"contact": contact.pk})
    assert refused.status_code == 403
    assert "service:write" in refused.json()["detail"]
    assert other.get("/api/v1/portal-users/").status_code == 403
    listed = post_graphql(agent, "{ portalUsers(first: 5) { totalCount } }").json()
    assert listed["data"]["portalUsers"] is None
    node = post_graphql(agent, f'{{ node(id: "{to_global_id("PortalUser", existing.pk)}") {{ id }} }}').json()
    assert node["data"]["node"] is None
    invite = post_graphql(agent, INVITE, {"input": {"contact": to_global_id("Contact", contact.pk)}}).json()
    assert [error["code"] for error in invite["data"]["portalUserInvite"]["errors"]] == ["PERMISSION_DENIED"]
    assert written(alpha) == before


def test_another_tenants_portal_users_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    existing = make_portal_user(alpha, email="fay@people.example")
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/portal-users/{existing.pk}/", {}),
        ("patch", f"/api/v1/portal-users/{existing.pk}/", {"is_active": False}),
    ])  # fmt: skip


def test_the_list_costs_the_same_queries_for_5_and_50_portal_users(alpha: TenantFixture) -> None:
    def add(count: int) -> None:
        with alpha.active():
            start = PortalUser.objects.count()
            for index in range(start, start + count):
                contact = ContactFactory(email=f"p{index}@people.example", company=CompanyFactory())
                PortalUser.objects.create(contact=contact, email=contact.email, invited_by=alpha.user())

    client = api_client(alpha)
    add(5)
    few, _response = queries_for(client, "/api/v1/portal-users/?page_size=100")
    add(45)
    many, response = queries_for(client, "/api/v1/portal-users/?page_size=100")

    assert many == few
    assert len(response.json()["results"]) == 50
