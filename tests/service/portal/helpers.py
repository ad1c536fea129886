"""Portal test helpers: customers with portal accounts and browsers signed in to the portal."""

from __future__ import annotations

from django.test import Client

from modules.service.portal.models import PortalUser
from modules.service.portal.services.sign_in import start_session
from modules.service.portal.views.base import SESSION_COOKIE
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture


def make_portal_user(tenant: TenantFixture, *, company_admin: bool = False, company=None, **contact) -> PortalUser:
    """A contact (of a new company unless given) with an active portal account, in ``tenant``."""
    with tenant.active():
        person = ContactFactory(company=company or CompanyFactory(), **contact)
        return PortalUser.objects.create(contact=person, email=person.email, is_company_admin=company_admin)


def portal_client(tenant: TenantFixture, portal_user: PortalUser) -> Client:
    """A browser on the tenant's host signed in to the portal as ``portal_user`` (no staff session)."""
    with tenant.active():
        key = start_session(portal_user, ip_address=None)
    client = Client(HTTP_HOST=tenant.host)
    client.cookies[SESSION_COOKIE] = key
    return client
