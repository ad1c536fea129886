"""Portal users (the service module): the tenant's contacts invited to the customer portal.

Written by service admins, as on Settings → Portal users: creating one invites the contact (the
account is made and a sign-in link e-mailed to the contact's address), a change sets whether they
are their company's admin and whether they may sign in (false deactivates: their sessions and links
end at once). There is no deletion: deactivate instead (the audit log keeps who did what). Password
hashes, sessions and sign-in links are never shown: only whether a password is set."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from api.entities.base import (
    ID,
    TIMESTAMPS,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    orderings,
    read_only,
    relation,
    writable,
)
from modules.service.portal.models import PortalUser
from modules.service.portal.services.users import change_from_api, invite_from_api

PORTAL_USER = EntityDescription(
    name="portal_user",
    resource="portal_users",
    rest_resource="portal-users",
    model=PortalUser,
    module="service",
    owner_field="",
    graphql_type="PortalUser",
    fields=(
        ID,
        relation("contact", "The contact invited (on creation; null when you may not see the contact)."),
        Field("email", description="The address they sign in with: the contact's when invited."),
        writable("is_company_admin", "Sees the cases, quotes and orders of the contact's whole company."),
        writable("is_active", "May sign in; false deactivates (sessions and sign-in links end at once)."),
        Field("has_password", description="Whether they set a password (else they sign in with e-mailed links)."),
        relation("invited_by", "Who invited them.", read_only=True),
        *read_only("last_sign_in_at"),
        *TIMESTAMPS,
    ),
    filters=(
        by_id("contact", "Contact", "The portal user of this contact (a Contact id)."),
        Filter("is_active", FilterKind.BOOLEAN, field="is_active", description="May sign in (true) or not."),
        Filter(
            "is_company_admin",
            FilterKind.BOOLEAN,
            field="is_company_admin",
            description="Their company's admins (true) or not.",
        ),
        Filter("email", FilterKind.TEXT, field="email", lookup="iexact", description="The sign-in address (any case)."),
    ),
    orderings=orderings("email", "last_sign_in_at", "created_at"),
    create=invite_from_api,
    update=change_from_api,
)


def portal_link_base(request: Any) -> str:
    """The absolute address of the portal's sign-in links on the tenant's host (the request's),
    without the token: what an invitation e-mails, from either protocol's request."""
    django_request = getattr(request, "_request", request)
    return str(django_request.build_absolute_uri(reverse("portal:link", args=["-"])))[: -len("-/")]
