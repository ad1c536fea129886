"""Support addresses: create, change, delete, and a new inbound webhook token. The IMAP password,
the token and the e-mail provider's signing and API keys are encrypted at rest
(``core.encryption``); a blank password or key on a change keeps the stored one. Every change is
audited (never with a secret)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.encryption import decrypt, encrypt
from customization import outbound_http
from identity.models import User
from identity.services.audit import audit
from modules.contacts.services.records import validated
from modules.service.mail.models import SupportAddress

FIELDS = (
    "email", "name", "team", "is_default", "is_active", "auto_acknowledge", "imap_host", "imap_port",
    "imap_security", "imap_user", "imap_password", "imap_folder", "inbound_signing_key", "inbound_api_key",
)  # fmt: skip
SECRETS = ("imap_password", "inbound_signing_key", "inbound_api_key")
BASIC_AUTH_USER = "relata"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(address: SupportAddress) -> str:
    token = secrets.token_urlsafe(32)
    address.inbound_token = encrypt(token)
    address.inbound_token_hash = token_hash(token)
    return token


def inbound_token(address: SupportAddress) -> str:
    return decrypt(address.inbound_token)


def basic_auth_credential(token: str) -> str:
    """``user:password`` the providers that secure their calls with HTTP basic auth send (the
    password is derived from the URL's token, so it changes with it and is never stored)."""
    password = hmac.new(token.encode(), b"relata:service-mail:inbound-basic-auth", hashlib.sha256).hexdigest()[:32]
    return f"{BASIC_AUTH_USER}:{password}"


def signing_key(address: SupportAddress) -> str:
    return decrypt(address.inbound_signing_key)


def api_key(address: SupportAddress) -> str:
    return decrypt(address.inbound_api_key)


def address_for_token(token: str) -> SupportAddress | None:
    if not token or len(token) > 200:
        return None
    return SupportAddress.objects.select_related("team").filter(inbound_token_hash=token_hash(token)).first()


def _check(address: SupportAddress, values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    address.email = (address.email or "").strip().lower()
    address.imap_host = (address.imap_host or "").strip()
    if address.imap_host:
        if not address.imap_user:
            raise ValidationError({"imap_user": [_("Enter the user that signs in to the mailbox.")]})
        if not address.imap_password:
            raise ValidationError({"imap_password": [_("Enter the mailbox's password.")]})
        try:
            outbound_http.resolve(address.imap_host, address.imap_port)
        except outbound_http.OutboundError as error:
            raise ValidationError({"imap_host": [str(error)]}) from error
    if address.is_default:
        clash = SupportAddress.objects.filter(is_default=True).exclude(pk=address.pk)
        clash.update(is_default=False)
    duplicate = SupportAddress.objects.filter(email=address.email).exclude(pk=address.pk).exists()
    if duplicate:
        raise ValidationError({"email": [_("This address is already a support address.")]})
    validated(address, exclude=["inbound_token_hash", "imap_password"])


def _bounded_keys(values: dict[str, Any]) -> dict[str, str]:
    keys = {name: str(values.pop(name, "") or "").strip() for name in ("inbound_signing_key", "inbound_api_key")}
    for name, key in keys.items():
        if len(key) > 4000 or "\x00" in key:
            raise ValidationError({name: [_("Enter the key as the provider shows it.")]})
    return keys


def create_address(*, by: User | None, **values: Any) -> SupportAddress:
    password = values.pop("imap_password", "") or ""
    keys = _bounded_keys(values)
    address = SupportAddress(**{name: value for name, value in values.items() if name in FIELDS})
    address.imap_password = password
    with transaction.atomic():
        _check(address, values)
        address.imap_password = encrypt(password)
        for name, key in keys.items():
            setattr(address, name, encrypt(key))
        _new_token(address)
        address.save()
        audit(
            "support_address.created", _("Support address %(email)s added.") % {"email": address.email},
            by=by, target=address.email,
        )  # fmt: skip
    return address


def update_address(
    address: SupportAddress, *, by: User | None, clear_provider_keys: bool = False, **values: Any
) -> SupportAddress:
    password = values.pop("imap_password", "") or ""
    keys = _bounded_keys(values)
    mailbox_changed = any(
        name in values and values[name] != getattr(address, name) for name in ("imap_host", "imap_user", "imap_folder")
    )
    for name, value in values.items():
        if name in FIELDS:
            setattr(address, name, value)
    stored = address.imap_password
    address.imap_password = password or ("kept" if stored else "")
    with transaction.atomic():
        _check(address, values)
        address.imap_password = encrypt(password) if password else stored
        for name, key in keys.items():
            if key or clear_provider_keys:
                setattr(address, name, encrypt(key))
        if mailbox_changed:  # another mailbox or folder: its UIDs are not the old one's
            address.uidvalidity, address.last_uid = None, 0
        address.save()
        audit(
            "support_address.updated", _("Support address %(email)s changed.") % {"email": address.email},
            by=by, target=address.email,
        )  # fmt: skip
    return address


def rotate_token(address: SupportAddress, *, by: User | None) -> str:
    """A new webhook URL; the old one stops working at once."""
    with transaction.atomic():
        token = _new_token(address)
        address.save(update_fields=["inbound_token", "inbound_token_hash", "updated_at"])
        audit(
            "support_address.token_rotated",
            _("Support address %(email)s got a new inbound webhook URL.") % {"email": address.email},
            by=by, target=address.email,
        )  # fmt: skip
    return token


def delete_address(address: SupportAddress, *, by: User | None) -> None:
    with transaction.atomic():
        email = address.email
        address.delete()
        audit(
            "support_address.deleted", _("Support address %(email)s removed.") % {"email": email}, by=by, target=email
        )
