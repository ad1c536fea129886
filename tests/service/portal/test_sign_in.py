"""Signing in to the portal: links by e-mail (single use, expiring, bound to the tenant), passwords,
rate limits, the audit trail, and the separation of portal and staff sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from identity.models import AuditEntry
from modules.service.portal.models import PortalSession, PortalSignInLink
from modules.service.portal.services import sign_in
from modules.service.portal.services.sign_in import issue_link
from modules.service.portal.views.base import SESSION_COOKIE
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")
LINK = re.compile(r"http://[^\s]+/portal/link/[^\s/]+/")


def _request_link(client, email: str, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/sign-in/link/", {"email": email})
    assert response.status_code == 200
    return LINK.findall(mail.outbox[-1].body)[-1]


def test_a_customer_signs_in_with_the_link_sent_by_email(alpha: TenantFixture, django_capture_on_commit_callbacks):
    customer = make_portal_user(alpha)
    client = alpha.client(None)

    link = _request_link(client, customer.email.upper(), django_capture_on_commit_callbacks)
    path = link.split("localhost", 1)[-1].split(alpha.host, 1)[-1]
    path = path[path.index("/portal/") :]
    confirm = client.get(path)
    signed_in = client.post(path)

    assert mail.outbox[-1].to == [customer.email]
    assert confirm.status_code == 200
    assert b"use-link" in confirm.content
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/portal/"
    assert client.cookies[SESSION_COOKIE]["path"] == "/portal/"
    assert client.cookies[SESSION_COOKIE]["httponly"]
    assert client.get("/portal/").status_code == 200
    # Used once: the same link signs nobody in again.
    again = alpha.client(None).post(path)
    assert again.status_code == 410
    with alpha.active():
        signed_in = AuditEntry.objects.get(action="portal.signed_in", target=customer.email)
        assert signed_in.actor_kind == AuditEntry.ActorKind.CUSTOMER  # a customer, not a staff user
        assert AuditEntry.objects.filter(action="portal.link_sent", target=customer.email).count() == 1


def test_an_unknown_address_gets_the_same_answer_and_no_mail(alpha: TenantFixture, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client(None).post("/portal/sign-in/link/", {"email": "nobody@people.example"})

    assert response.status_code == 200
    assert mail.outbox == []


def test_an_expired_a_tampered_and_another_tenants_link_sign_nobody_in(alpha: TenantFixture, beta: TenantFixture):
    customer = make_portal_user(alpha)
    with alpha.active():
        expired = issue_link(customer)
        PortalSignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        good = issue_link(customer)
    client = alpha.client(None)

    assert client.post(f"/portal/link/{expired}/").status_code == 410
    assert client.post(f"/portal/link/{good[:-2]}xx/").status_code == 410
    # The signature is salted with the tenant: the link means nothing on another tenant's host.
    assert beta.client(None).post(f"/portal/link/{good}/").status_code == 410
    with beta.active():
        assert not PortalSession.objects.exists()
    assert client.post(f"/portal/link/{good}/").status_code == 302


def test_a_customer_signs_in_with_a_password_checked_by_the_platforms_validators(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)

    weak = client.post("/portal/account/", {"password": "123"})
    strong = client.post("/portal/account/", {"password": "a-long-portal-passphrase-9"})
    fresh = alpha.client(None)
    wrong = fresh.post("/portal/sign-in/", {"email": customer.email, "password": "not-it-at-all"})
    right = fresh.post(
        "/portal/sign-in/",
        {"email": customer.email, "password": "a-long-portal-passphrase-9", "next": "/portal/cases/"},
    )

    assert weak.status_code == 400
    assert b"password" in weak.content
    assert strong.status_code == 200
    assert wrong.status_code == 400
    assert right.status_code == 302
    assert right["Location"] == "/portal/cases/"
    with alpha.active():
        assert AuditEntry.objects.filter(action="portal.sign_in_failed", target=customer.email).count() == 1
        assert AuditEntry.objects.filter(action="portal.password_set", target=customer.email).count() == 1


def test_password_attempts_and_link_requests_are_rate_limited(alpha: TenantFixture, django_capture_on_commit_callbacks):
    customer = make_portal_user(alpha)
    client = alpha.client(None)

    attempts = [
        client.post("/portal/sign-in/", {"email": customer.email, "password": f"guess-{n}"}).status_code
        for n in range(sign_in.SIGN_INS_PER_EMAIL + 1)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        requests = [
            client.post("/portal/sign-in/link/", {"email": customer.email}).status_code
            for _ in range(sign_in.LINKS_PER_ADDRESS + 1)
        ]

    assert attempts[:-1] == [400] * sign_in.SIGN_INS_PER_EMAIL
    assert attempts[-1] == 429
    assert requests[-1] == 429
    assert len(mail.outbox) == sign_in.LINKS_PER_EMAIL


def test_a_staff_session_does_not_open_the_portal(alpha: TenantFixture):
    response = alpha.client().get("/portal/cases/")

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/")


def test_a_portal_session_opens_no_staff_page_nor_the_api(alpha: TenantFixture):
    client = portal_client(alpha, make_portal_user(alpha))

    page = client.get("/contacts/")
    api = client.get("/api/v1/contacts/")
    graphql = client.post("/graphql/", {"query": "{ contacts { totalCount } }"}, content_type="application/json")

    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    assert api.status_code in (401, 403)
    # GraphQL answers an anonymous caller with an error and no data.
    assert graphql.json().get("errors")
    assert not (graphql.json().get("data") or {}).get("contacts")


def test_deactivating_ends_the_portal_session_at_once(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)
    admin = alpha.client()

    response = admin.post(f"/settings/portal-users/{customer.pk}/", {"is_active": "false"})

    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302
    with alpha.active():
        assert not PortalSession.objects.filter(portal_user=customer).exists()


def test_signing_out_ends_the_session(alpha: TenantFixture):
    client = portal_client(alpha, make_portal_user(alpha))

    key = client.cookies[SESSION_COOKIE].value
    response = client.post("/portal/sign-out/")
    client.cookies[SESSION_COOKIE] = key  # a copy of the cookie kept elsewhere opens nothing either

    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302
    with alpha.active():
        assert not PortalSession.objects.exists()
