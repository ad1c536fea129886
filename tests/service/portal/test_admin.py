"""Staff manage portal users (``service.admin``): invite a contact (from the settings or the contact's
page), make them their company's admin, deactivate them. Another tenant, a role without the
permission and a tenant without service are refused."""

from __future__ import annotations

import pytest
from django.core import mail

from identity.models import AuditEntry
from modules.service.portal.models import PortalUser
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ContactFactory
from tests.page_markup import page_markup
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

pytestmark = pytest.mark.usefixtures("eager_tasks")


def test_an_admin_invites_a_contact_from_the_contacts_page(alpha: TenantFixture, django_capture_on_commit_callbacks):
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(), email="ana@people.example")
    client = alpha.client()

    contact_page = client.get(f"/contacts/{contact.pk}/")
    form = client.get(f"/settings/portal-users/invite/?contact={contact.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post("/settings/portal-users/invite/", {"contact": contact.pk, "is_company_admin": "on"})
    again = client.post("/settings/portal-users/invite/", {"contact": contact.pk})
    listing = client.get("/settings/portal-users/")

    assert f"/settings/portal-users/invite/?contact={contact.pk}".encode() in contact_page.content
    assert form.status_code == 200
    assert str(contact).encode() in form.content
    assert invited.status_code == 302
    assert again.status_code == 400
    assert b'id="id_contact-errors"' in again.content
    assert b"ana@people.example" in listing.content
    assert [message.to for message in mail.outbox] == [["ana@people.example"]]
    assert "/portal/link/" in mail.outbox[0].body
    with alpha.active():
        portal_user = PortalUser.objects.get(contact=contact)
        assert portal_user.is_company_admin
        assert portal_user.is_active
        assert AuditEntry.objects.filter(action="portal.user_invited", target="ana@people.example").exists()


def test_a_contact_without_an_email_cannot_be_invited(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="")

    response = alpha.client().post("/settings/portal-users/invite/", {"contact": contact.pk})

    assert response.status_code == 400
    assert b'id="id_contact-errors"' in response.content
    with alpha.active():
        assert not PortalUser.objects.exists()


def test_a_role_without_service_admin_is_refused(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    with alpha.active():
        contact = ContactFactory(email="someone@people.example")
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    answers = [
        rep.get("/settings/portal-users/").status_code,
        rep.post("/settings/portal-users/invite/", {"contact": contact.pk}).status_code,
        rep.post(f"/settings/portal-users/{customer.pk}/", {"is_active": "false"}).status_code,
    ]

    assert answers == [403, 403, 403]
    assert b"/settings/portal-users/invite/" not in rep.get(f"/contacts/{contact.pk}/").content
    assert schema_snapshot(alpha.tenant) == before


def test_portal_users_of_another_tenant_cannot_be_reached(alpha: TenantFixture, beta: TenantFixture):
    customer = make_portal_user(alpha)
    with alpha.active():
        contact = ContactFactory(email="other@people.example")

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("post", f"/settings/portal-users/{customer.pk}/", {"is_active": "false"}),
    ])  # fmt: skip
    # An invitation naming another tenant's contact: the contact is not in the list (400), nothing made.
    response = beta.client().post("/settings/portal-users/invite/", {"contact": contact.pk})
    assert response.status_code == 400
    with beta.active():
        assert not PortalUser.objects.exists()


def test_without_service_the_admin_pages_answer_not_in_plan(alpha: TenantFixture):
    without_modules(alpha, "service")

    response = alpha.client().get("/settings/portal-users/")

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_bad_values_name_the_field(alpha: TenantFixture):
    customer = make_portal_user(alpha)

    response = alpha.client().post(f"/settings/portal-users/{customer.pk}/", {"is_active": "maybe\x00"})

    assert response.status_code == 400
    assert b"is_active" in response.content


def test_signed_in_portal_pages_carry_no_inline_code(alpha: TenantFixture):
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)

    paths = ("/portal/", "/portal/cases/", "/portal/cases/new/", "/portal/quotes/", "/portal/orders/",
             "/portal/help/", "/portal/account/")  # fmt: skip
    for path in paths:
        response = client.get(path)
        markup = page_markup(response.content)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store"
        assert markup.inline_scripts == [], path
        assert markup.handlers == [], path
