"""A user changes how they sign in: their password, or their e-mail address (confirmed from the new
address before it takes effect, so a typo or a session left open cannot move the account to an
address its owner does not read). Every change is audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.accounts import normalize_email
from identity.services.audit import record_audit
from tenants.db import tenant_connection

EMAIL_CHANGE_MAX_AGE = 24 * 3600


class EmailChangeInvalid(Exception):
    """The confirmation link is unknown, expired, already used or of another workspace."""


def _salt() -> str:
    # The schema is part of the salt, so a link minted on one tenant is void on every other.
    return f"identity.email-change:{tenant_connection().schema_name}"


def change_password(user: User, *, new_password: str, ip_address: str | None = None) -> User:
    """Set ``user``'s password after Django's validators (the caller confirmed the current one)."""
    validate_password(new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_audit(
            "user.password_changed",
            _("%(user)s changed their password.") % {"user": user.email},
            actor=user.email,
            target=f"user:{user.email}",
            ip_address=ip_address,
        )
    return user


def email_change_token(user: User, new_email: str) -> str:
    """A signed link token moving ``user`` to ``new_email``; refused when the address is taken."""
    email = normalize_email(new_email)
    if email == user.email:
        raise ValidationError({"email": [_("This is already your e-mail address.")]})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": [_("Another user of this workspace signs in with this e-mail address.")]})
    # The current address is signed in too: once the change is made, the link no longer matches.
    return signing.dumps({"user": user.pk, "from": user.email, "to": email}, salt=_salt(), compress=True)


def pending_email_change(token: str) -> tuple[User, str]:
    """The user and new address a link stands for, or ``EmailChangeInvalid``."""
    try:
        data = signing.loads(token, salt=_salt(), max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature as error:
        raise EmailChangeInvalid(_("This confirmation link is not valid or has expired.")) from error
    user = User.objects.filter(pk=data.get("user"), email=data.get("from"), is_active=True).first()
    if user is None:
        raise EmailChangeInvalid(_("This confirmation link is not valid or has expired."))
    return user, str(data.get("to", ""))


def confirm_email_change(token: str, *, ip_address: str | None = None) -> User:
    """Apply the change a confirmation link carries (once)."""
    with transaction.atomic():
        user, email = pending_email_change(token)
        user = User.objects.select_for_update().get(pk=user.pk)
        if User.objects.filter(email=email).exclude(pk=user.pk).exists():
            raise EmailChangeInvalid(
                _("Another user of this workspace now signs in with %(email)s.") % {"email": email}
            )
        previous = user.email
        user.email = email
        user.save(update_fields=["email"])
        record_audit(
            "user.email_changed",
            _("%(previous)s now signs in as %(email)s.") % {"previous": previous, "email": email},
            actor=previous,
            target=f"user:{email}",
            details={"from": previous, "to": email},
            ip_address=ip_address,
        )
    return user
