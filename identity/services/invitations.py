"""Invitations: a tenant admin invites by e-mail, the invitee sets a password and joins."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import Invitation, Role, Team, User
from identity.services.accounts import create_user, normalize_email
from identity.tasks import send_invitation_email


class InvitationInvalid(Exception):
    """The token is unknown, expired, revoked or used; the message says which."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation replaces any earlier open one for the same address.
        Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.teams.set(teams)
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
    """Create the invitee's account in one transaction; the token works once."""
    with transaction.atomic():
        invitation = open_invitation(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationInvalid(_("This invitation has already been used. Sign in instead."))
        if not full_name.strip():
            raise ValidationError({"full_name": [_("Tell us your name.")]})
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
    return user


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
