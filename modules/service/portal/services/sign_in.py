"""Signing customers in to the portal: e-mailed links and passwords, sessions, rate limits, audit.

A portal session is a random key in the portal's own cookie (path ``/portal/``), of which only the
SHA-256 is stored (``PortalSession``): it is not a Django session and names no ``identity.User``,
so it cannot authenticate a staff page or the API, and a staff session means nothing to the portal.

A sign-in link is ``signing.dumps`` of the user's id and a random nonce, salted with the tenant's
schema (a link of one tenant fails the signature on another), valid ``LINK_MINUTES`` and once: the
nonce's hash is stored and marked used when redeemed. Every sign-in, failure, link request and
sign-out is written to the tenant's audit log with the customer's address."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_value
from identity.models import AuditEntry
from identity.services.audit import record_audit
from modules.service.portal.models import PortalSession, PortalSignInLink, PortalUser
from modules.service.portal.tasks import send_sign_in_link

LINK_MINUTES = 30
INVITATION_LINK_DAYS = 7
SESSION_DAYS = 14
# Rate limits (per window): password attempts and link requests per client address and per
# e-mail address, so neither guessing nor mail-bombing a customer works at speed.
WINDOW_SECONDS = 900
SIGN_INS_PER_ADDRESS = 20
SIGN_INS_PER_EMAIL = 8
LINKS_PER_ADDRESS = 10
LINKS_PER_EMAIL = 3
PASSWORD_MAX_LENGTH = 200


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _schema() -> str:
    return str(getattr(connection, "schema_name", ""))


def audit_portal(action: str, summary: str, email: str, *, ip_address: str | None, **details: object) -> None:
    """An entry in the tenant's audit log for a customer's portal action."""
    record_audit(
        action, summary, actor=f"portal:{email}", actor_kind=AuditEntry.ActorKind.CUSTOMER, target=email,
        details=dict(details), ip_address=ip_address,
    )  # fmt: skip


def within_limit(kind: str, who: str, limit: int) -> bool:
    """Count one attempt of ``kind`` by ``who`` in this tenant; False once ``limit`` were counted
    in the window."""
    key = f"portal:{_schema()}:{kind}:{_hash(who.lower())}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        return int(cache.incr(key)) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True


def find_user(email: str) -> PortalUser | None:
    email = (email or "").strip()
    if not email or len(email) > 254 or "\x00" in email:
        return None
    return PortalUser.objects.select_related("contact").filter(email__iexact=email, is_active=True).first()


# Sign-in links


def _link_salt() -> str:
    return f"service.portal.link:{_schema()}"


def issue_link(portal_user: PortalUser, *, lifetime: timedelta | None = None) -> str:
    """A new single-use sign-in token for ``portal_user``."""
    nonce = secrets.token_urlsafe(24)
    PortalSignInLink.objects.create(
        portal_user=portal_user, nonce_hash=_hash(nonce),
        expires_at=timezone.now() + (lifetime or timedelta(minutes=LINK_MINUTES)),
    )  # fmt: skip
    return signing.dumps({"u": portal_user.pk, "n": nonce}, salt=_link_salt(), compress=True)


def send_link(portal_user: PortalUser, *, link_base: str, invited: bool = False) -> None:
    """Issue a link and e-mail it once the transaction commits. ``link_base`` is the absolute URL
    of the link page without its token."""
    lifetime = timedelta(days=INVITATION_LINK_DAYS) if invited else None
    token = issue_link(portal_user, lifetime=lifetime)
    link = f"{link_base}{token}/"
    user_id = portal_user.pk
    transaction.on_commit(lambda: send_sign_in_link.delay(user_id, link, invited=invited))


def request_link(email: str, *, link_base: str, ip_address: str | None) -> bool:
    """A customer asks for a sign-in link. The answer to the customer is the same whether or not the
    address has a portal account; False when over the rate limit (nothing sent)."""
    if not within_limit("link-address", ip_address or "-", LINKS_PER_ADDRESS):
        return False
    portal_user = find_user(email)
    if portal_user is None or not within_limit("link-email", portal_user.email, LINKS_PER_EMAIL):
        return True
    with transaction.atomic():
        send_link(portal_user, link_base=link_base)
        audit_portal(
            "portal.link_sent", _("Portal sign-in link sent to %(email)s") % {"email": portal_user.email},
            portal_user.email, ip_address=ip_address,
        )  # fmt: skip
    return True


def redeem_link(token: str, *, ip_address: str | None) -> PortalUser | None:
    """The active user whose unused, unexpired link ``token`` is (marked used now), else None."""
    if not token or len(token) > 400:
        return None
    try:
        payload = signing.loads(token, salt=_link_salt(), max_age=timedelta(days=INVITATION_LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return None
    with transaction.atomic():
        link = (
            PortalSignInLink.objects.select_for_update()
            .select_related("portal_user")
            .filter(nonce_hash=_hash(payload["n"]), portal_user_id=payload.get("u"))
            .first()
        )
        if link is None or link.used_at is not None or link.expires_at <= timezone.now():
            return None
        if not link.portal_user.is_active:
            return None
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        _signed_in(link.portal_user, "link", ip_address)
        return link.portal_user


# Passwords


def password_sign_in(email: str, password: str, *, ip_address: str | None) -> PortalUser | None:
    """The active user with this e-mail and password, else None (the failure is audited)."""
    portal_user = find_user(email)
    if portal_user is None or not portal_user.password:
        make_password(password)  # the same time whether or not the account exists
        return None
    if not check_password(password, portal_user.password):
        audit_portal(
            "portal.sign_in_failed", _("Failed portal sign-in for %(email)s") % {"email": portal_user.email},
            portal_user.email, ip_address=ip_address,
        )  # fmt: skip
        return None
    with transaction.atomic():
        _signed_in(portal_user, "password", ip_address)
    return portal_user


def set_password(portal_user: PortalUser, password: str, *, ip_address: str | None) -> None:
    """Set the customer's password, checked by the platform's password validators."""
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError({"password": [_("At most %(count)d characters.") % {"count": PASSWORD_MAX_LENGTH}]})
    check_value(password, field="password")
    try:
        password_validation.validate_password(password, user=portal_user)  # type: ignore[arg-type]  # compared by its e-mail
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    with transaction.atomic():
        portal_user.password = make_password(password)
        portal_user.save(update_fields=["password", "updated_at"])
        audit_portal(
            "portal.password_set", _("Portal password set by %(email)s") % {"email": portal_user.email},
            portal_user.email, ip_address=ip_address,
        )  # fmt: skip


def _signed_in(portal_user: PortalUser, method: str, ip_address: str | None) -> None:
    portal_user.last_sign_in_at = timezone.now()
    portal_user.save(update_fields=["last_sign_in_at"])
    audit_portal(
        "portal.signed_in", _("%(email)s signed in to the portal") % {"email": portal_user.email},
        portal_user.email, ip_address=ip_address, method=method,
    )  # fmt: skip


# Sessions


def start_session(portal_user: PortalUser, *, ip_address: str | None) -> str:
    """A new session of ``portal_user``; the key goes in the portal's cookie and is not kept."""
    key = secrets.token_urlsafe(32)
    PortalSession.objects.create(
        portal_user=portal_user, key_hash=_hash(key), ip_address=ip_address or None,
        expires_at=timezone.now() + timedelta(days=SESSION_DAYS),
    )  # fmt: skip
    return key


def session_user(key: str) -> PortalUser | None:
    """The active portal user of the session ``key`` (one query), else None."""
    if not key or len(key) > 100:
        return None
    session = (
        PortalSession.objects.select_related("portal_user__contact")
        .filter(key_hash=_hash(key), expires_at__gt=timezone.now(), portal_user__is_active=True)
        .first()
    )
    return session.portal_user if session is not None else None


def end_session(key: str, *, ip_address: str | None) -> None:
    session = PortalSession.objects.select_related("portal_user").filter(key_hash=_hash(key)).first()
    if session is None:
        return
    with transaction.atomic():
        email = session.portal_user.email
        session.delete()
        audit_portal(
            "portal.signed_out", _("%(email)s signed out of the portal") % {"email": email}, email,
            ip_address=ip_address,
        )  # fmt: skip
