"""Inviting contacts to the portal and changing their access: the only writer of ``PortalUser``.

An invitation makes the account and e-mails a sign-in link (valid ``INVITATION_LINK_DAYS``); the
customer may set a password once signed in. Deactivating ends the user's sessions and links at once;
each change is in the tenant's audit log under the staff member who made it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import audit
from modules.contacts.models import Contact
from modules.service import settings_events as events
from modules.service.portal.models import PortalUser
from modules.service.portal.services.sign_in import send_link

# What ``portal_user.updated`` events name (never the address or the password).
EVENT_FIELDS = ("email", "is_company_admin", "is_active")


def invite_portal_user(contact: Contact, *, by: User | None, is_company_admin: bool = False,
                       link_base: str) -> PortalUser:  # fmt: skip
    """Give ``contact`` a portal account and e-mail them a sign-in link. A contact without an
    e-mail address, or with one another portal user has, cannot be invited; inviting a deactivated
    user again reactivates them."""
    email = (contact.email or "").strip()
    if not email:
        raise ValidationError({"contact": [_("The contact has no e-mail address to send the invitation to.")]})
    if is_company_admin and contact.company_id is None:
        raise ValidationError({"is_company_admin": [_("The contact belongs to no company.")]})
    with transaction.atomic():
        existing = PortalUser.objects.select_for_update().filter(contact=contact).first()
        if existing is not None and existing.is_active:
            raise ValidationError({"contact": [_("This contact already has portal access.")]})
        if PortalUser.objects.filter(email__iexact=email).exclude(contact=contact).exists():
            raise ValidationError({"contact": [_("Another portal user signs in with this e-mail address.")]})
        portal_user = existing or PortalUser(contact=contact)
        before = events.snapshot(portal_user, EVENT_FIELDS)
        portal_user.email = email
        portal_user.is_company_admin = is_company_admin
        portal_user.is_active = True
        portal_user.invited_by = by
        portal_user.full_clean(exclude=["contact", "password", "invited_by"])
        portal_user.save()
        if existing is None:
            events.record_created(events.PORTAL_USER, portal_user, by=by)
        else:
            fields = events.changed(before, events.snapshot(portal_user, EVENT_FIELDS))
            events.record_updated(events.PORTAL_USER, portal_user, by=by, fields=fields)
        send_link(portal_user, link_base=link_base, invited=True)
        audit(
            "portal.user_invited", _("%(email)s invited to the customer portal") % {"email": email}, by=by,
            target=email, details={"contact": contact.pk, "company_admin": is_company_admin},
        )  # fmt: skip
    return portal_user


def update_portal_user(portal_user: PortalUser, *, by: User | None, is_company_admin: bool | None = None,
                       is_active: bool | None = None) -> PortalUser:  # fmt: skip
    """Change whether the user is their company's admin and whether they may sign in."""
    with transaction.atomic():
        portal_user = PortalUser.objects.select_for_update().select_related("contact").get(pk=portal_user.pk)
        changes: dict[str, object] = {}
        if is_company_admin is not None and is_company_admin != portal_user.is_company_admin:
            if is_company_admin and portal_user.contact.company_id is None:
                raise ValidationError({"is_company_admin": [_("The contact belongs to no company.")]})
            portal_user.is_company_admin = is_company_admin
            changes["company_admin"] = is_company_admin
        if is_active is not None and is_active != portal_user.is_active:
            portal_user.is_active = is_active
            changes["active"] = is_active
        if not changes:
            return portal_user
        portal_user.save()
        fields = [
            name for name, key in (("is_company_admin", "company_admin"), ("is_active", "active")) if key in changes
        ]
        events.record_updated(events.PORTAL_USER, portal_user, by=by, fields=fields)
        if portal_user.is_active is False:
            portal_user.sessions.all().delete()
            portal_user.links.filter(used_at__isnull=True).delete()
        audit(
            "portal.user_changed", _("Portal access of %(email)s changed") % {"email": portal_user.email}, by=by,
            target=portal_user.email, details=changes,
        )  # fmt: skip
    return portal_user


def deactivate_portal_user(portal_user: PortalUser, *, by: User | None) -> PortalUser:
    return update_portal_user(portal_user, by=by, is_active=False)


# The APIs' writers: an invitation (``create``), a change of the company-admin flag or of whether
# the user may sign in (``is_active`` false deactivates: sessions and links end at once).
def invite_from_api(*, by: User | None, link_base: str, contact: Contact | None = None,
                    is_company_admin: bool = False, is_active: bool = True) -> PortalUser:  # fmt: skip
    if contact is None:
        raise ValidationError({"contact": [_("Choose the contact to invite.")]})
    if not is_active:
        raise ValidationError({"is_active": [_("An invitation gives access: invite, then deactivate.")]})
    return invite_portal_user(contact, by=by, is_company_admin=is_company_admin, link_base=link_base)


def change_from_api(portal_user: PortalUser, *, by: User | None, **values: object) -> PortalUser:
    unknown = set(values) - {"is_company_admin", "is_active"}
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationError({field: [_("This cannot be changed: invite the contact again instead.")]})
    return update_portal_user(
        portal_user, by=by, is_company_admin=values.get("is_company_admin"),  # type: ignore[arg-type]
        is_active=values.get("is_active"),  # type: ignore[arg-type]
    )  # fmt: skip
