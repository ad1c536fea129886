"""Invitations: a tenant admin invites by e-mail, the invitee sets a password and joins.

Seats: the tenant's plan may limit its seats (``billing.entitlements``). Active users and open
invitations each take one, so an invitation is refused when they fill the plan, and so is a
reactivation; an invitee joins as long as the active users leave a seat free. Billed seats follow
the active users once a join commits (``billing.services.seats``).
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.services.seats import sync_billed_seats_on_commit
from identity.models import Invitation, Role, Team, User
from identity.services.accounts import create_user, normalize_email, update_user
from identity.services.audit import audit
from identity.services.roles import check_role_grant
from identity.services.teams import check_user_teams_change
from identity.tasks import send_invitation_email
from tenants.models import Tenant


class InvitationInvalid(Exception):
    """The token is unknown, expired, revoked or used; the message says which."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_tenant() -> Tenant:
    """The tenant whose schema the connection is in (set by django-tenants per request or context)."""
    return connection.tenant  # type: ignore[attr-defined,no-any-return]


def seat_limit(tenant: Tenant) -> int | None:
    """The seats the tenant's plan includes, read fresh (an operator may have just changed it); None: no limit."""
    from billing.entitlements import entitlements_for, forget_subscription

    forget_subscription(tenant)
    return entitlements_for(tenant).seat_limit


def open_invitations() -> models.QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def seats_taken() -> int:
    """Active users plus open invitations: each invitation will become a user."""
    return User.objects.filter(is_active=True).count() + open_invitations().count()


def seats_full_message(limit: int, *, reactivating: bool = False) -> str:
    if reactivating:
        message = ngettext(
            "Your plan includes %(limit)d seat and it is taken. Upgrade your plan to reactivate this user.",
            "Your plan includes %(limit)d seats and all are taken. Upgrade your plan to reactivate this user.",
            limit,
        )
    else:
        message = ngettext(
            "Your plan includes %(limit)d seat and it is taken. Upgrade your plan to invite more people.",
            "Your plan includes %(limit)d seats and all are taken. Upgrade your plan to invite more people.",
            limit,
        )
    return message % {"limit": limit}


def seats_full(tenant: Tenant) -> int | None:
    """The plan's seat limit when active users and open invitations fill it, else None."""
    limit = seat_limit(tenant)
    return limit if limit is not None and seats_taken() >= limit else None


def lock_seats(tenant: Tenant) -> None:
    """Serialise seat-taking changes of one tenant (two admins inviting, two invitees joining at once);
    call inside the transaction that takes the seat."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).exists()


def ensure_free_seat(tenant: Tenant, *, field: str, reactivating: bool = False) -> None:
    """A ValidationError on ``field`` (code ``seat_limit``) when the plan's seats are all taken;
    call inside the seat lock."""
    limit = seats_full(tenant)
    if limit is not None:
        message = seats_full_message(limit, reactivating=reactivating)
        raise ValidationError({field: [ValidationError(message, code="seat_limit")]})


def is_seat_limit_error(error: ValidationError) -> bool:
    errors = (
        [e for field_errors in error.error_dict.values() for e in field_errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return any(item.code == "seat_limit" for item in errors)


def update_user_within_seats(user: User, *, by: User, is_active: bool, **values: Any) -> User:
    """``update_user``, refusing to reactivate someone the plan has no seat for; billed seats follow
    a (de)activation once it commits."""
    tenant = current_tenant()
    activation_changes = is_active != user.is_active
    with transaction.atomic():
        if is_active and not user.is_active:
            lock_seats(tenant)
            ensure_free_seat(tenant, field="is_active", reactivating=True)
        update_user(user, by=by, is_active=is_active, **values)
        if activation_changes:
            sync_billed_seats_on_commit(tenant, actor=by.email)
    return user


def invite_user(
    *, email: str, role: Role, teams: list[Team], invited_by: User, accept_url_base: str
) -> tuple[Invitation, str]:
    """Create an invitation, e-mail its link, and return it with the raw token (never stored)."""
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("%(email)s already has an account.") % {"email": email}]})
    check_role_grant(role, by=invited_by)
    check_user_teams_change(User(email=email), teams=teams, by=invited_by)  # the invitee, in no team yet
    token = secrets.token_urlsafe(32)
    tenant = current_tenant()
    with transaction.atomic():
        lock_seats(tenant)
        # A new invitation replaces any earlier open one for the same address.
        Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        ensure_free_seat(tenant, field="email")
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.teams.set(teams)
        audit(
            "invitation.sent",
            _("%(email)s was invited with the role %(role)s.") % {"email": email, "role": role.name},
            by=invited_by,
            target=f"user:{email}",
            details={"role": role.key or role.name, "teams": sorted(team.name for team in teams)},
        )
        link = f"{accept_url_base.rstrip('/')}/{token}/"
        # Queued after commit so the worker finds the row; the task runs in this tenant's schema.
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, link))
    return invitation, token


def open_invitation(token: str) -> Invitation:
    """The invitation a token belongs to, if it can still be accepted."""
    invitation = Invitation.objects.select_related("role").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid."))
    if invitation.accepted_at:
        raise InvitationInvalid(_("This invitation has already been used. Sign in instead."))
    if invitation.revoked_at:
        raise InvitationInvalid(_("This invitation was withdrawn. Ask your administrator for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(_("This invitation has expired. Ask your administrator for a new one."))
    return invitation


def accept_invitation(*, token: str, full_name: str, password: str) -> User:
    """Create the invitee's account in one transaction; the token works once. Refused, with nothing
    written, when active users meanwhile fill the plan's seats."""
    tenant = current_tenant()
    with transaction.atomic():
        invitation = open_invitation(token)
        lock_seats(tenant)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationInvalid(_("This invitation has already been used. Sign in instead."))
        if not full_name.strip():
            raise ValidationError({"full_name": [_("Tell us your name.")]})
        limit = seat_limit(tenant)
        if limit is not None and User.objects.filter(is_active=True).count() >= limit:
            message = ngettext(
                "The %(limit)d seat of this workspace's plan is taken, so you cannot join yet.",
                "All %(limit)d seats of this workspace's plan are taken, so you cannot join yet.",
                limit,
            )
            hint = _("Ask your administrator to free a seat or upgrade the plan.")
            raise ValidationError({NON_FIELD_ERRORS: [f"{message % {'limit': limit}} {hint}"]})
        user = create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            role=invitation.role,
            teams=list(invitation.teams.all()),
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit(
            "user.joined",
            _("%(email)s accepted the invitation and joined as %(role)s.")
            % {"email": user.email, "role": invitation.role.name},
            by=user,
            target=f"user:{user.email}",
        )
        sync_billed_seats_on_commit(tenant, actor=user.email)
    return user


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit(
                "invitation.withdrawn",
                _("The invitation of %(email)s was withdrawn.") % {"email": invitation.email},
                target=f"user:{invitation.email}",
            )
