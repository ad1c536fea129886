"""API keys: create (the plaintext is returned once), revoke, and authenticate a presented key.

A key reads ``rlt_<key_id>_<secret>``. ``key_id`` finds the row; the secret is compared by its
SHA-256 (see ``ApiKey`` for why a fast hash is right here). Scopes are module scope codes
(``contacts:read``, ``sales:write`` …), the same codes ``api.auth.credentials.scope_catalogue``
lists for the API layer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.credential_cache import cached_api_key
from identity.models import ApiKey, User
from identity.services.audit import audit

KEY_PREFIX = "rlt"
KEY_ID_LENGTH = 8
SECRET_LENGTH = 40  # base62: about 238 bits
ALPHABET = string.ascii_letters + string.digits
KEY_ID_ALPHABET = string.ascii_lowercase + string.digits
# last_used_at is written at most this often per key, so a busy key does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = 100


class ApiKeyRefused(Exception):
    """The presented key does not authenticate; ``reason`` says why (lazy, safe to show the caller)."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class ScopeGroup:
    """A module's two scopes, for forms that group them."""

    module: str
    label: str | Promise
    read: str
    write: str


def scope_groups(tenant: object | None = None) -> list[ScopeGroup]:
    """Read and write scope per module, in registry order; with ``tenant``, only its enabled modules
    (what a form offers: a scope of a module the plan lacks would allow nothing)."""
    from modules.registry import MODULES, enabled_module_keys

    enabled = None if tenant is None else enabled_module_keys(tenant)
    return [
        ScopeGroup(module.key, module.label, f"{module.key}:read", f"{module.key}:write")
        for module in MODULES
        if enabled is None or module.key in enabled
    ]


def known_scopes() -> frozenset[str]:
    return frozenset(code for group in scope_groups() for code in (group.read, group.write))


def clean_scopes(scopes: list[str] | tuple[str, ...] | set[str], *, field: str = "scopes") -> list[str]:
    """Known scope codes, sorted and without duplicates; a ValidationError naming ``field`` otherwise."""
    codes = {str(code).strip() for code in scopes if str(code).strip()}
    unknown = sorted(codes - known_scopes())
    if unknown:
        raise ValidationError({field: [_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}]})
    if not codes:
        raise ValidationError({field: [_("Choose at least one scope.")]})
    return sorted(codes)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _index in range(length))


def create_api_key(
    *, user: User, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key for ``user`` and return it with the plaintext key, which is never stored."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the key a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]
    try:
        codes = clean_scopes(scopes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if not user.is_active:
        errors["user"] = [_("A deactivated user cannot hold API keys.")]
    if errors:
        raise ValidationError(errors)
    secret = _random(ALPHABET, SECRET_LENGTH)
    with transaction.atomic():
        # Key ids are random; on the rare collision with an existing one, draw again.
        key_id = _random(KEY_ID_ALPHABET, KEY_ID_LENGTH)
        while ApiKey.objects.filter(key_id=key_id).exists():
            key_id = _random(KEY_ID_ALPHABET, KEY_ID_LENGTH)
        api_key = ApiKey.objects.create(
            user=user, name=name, key_id=key_id, secret_hash=hash_secret(secret), scopes=codes, expires_at=expires_at
        )
        audit(
            "api_key.created",
            _("API key %(name)s (%(key_id)s) created for %(user)s.")
            % {"name": name, "key_id": key_id, "user": user.email},
            target=f"api_key:{key_id}",
            details={"scopes": codes, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return api_key, f"{KEY_PREFIX}_{key_id}_{secret}"


def revoke_api_key(api_key: ApiKey, *, by: User) -> None:
    """Revoke the key at once; revoking a revoked key changes nothing."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    if updated:
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
        audit(
            "api_key.revoked",
            _("API key %(name)s (%(key_id)s) of %(user)s revoked.")
            % {"name": api_key.name, "key_id": api_key.key_id, "user": api_key.user.email},
            by=by,
            target=f"api_key:{api_key.key_id}",
        )


def looks_like_api_key(token: str) -> bool:
    return token.startswith(f"{KEY_PREFIX}_")


def authenticate_api_key(token: str) -> ApiKey:
    """The active key ``token`` names, its user and role loaded; ApiKeyRefused saying why otherwise.

    Keys live in the tenant's schema, so another tenant's key is simply unknown here.
    """
    prefix, _sep, rest = token.partition("_")
    key_id, _sep, secret = rest.partition("_")
    if prefix != KEY_PREFIX or len(key_id) != KEY_ID_LENGTH or not secret:
        raise ApiKeyRefused(gettext_lazy("The API key is malformed."))
    # The row, user and role come from this process's cache while none of them changed
    # (identity.credential_cache); the checks below run on every request.
    api_key = cached_api_key(key_id, lambda: ApiKey.objects.select_related("user__role").filter(key_id=key_id).first())
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, hash_secret(secret)):
        raise ApiKeyRefused(gettext_lazy("Unknown API key."))
    if api_key.revoked_at is not None:
        raise ApiKeyRefused(gettext_lazy("This API key has been revoked."))
    now = timezone.now()
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyRefused(gettext_lazy("This API key has expired."))
    if not api_key.user.is_active:
        raise ApiKeyRefused(gettext_lazy("The user of this API key is deactivated."))
    _touch(api_key, now)
    return api_key


# This process's latest use stamps by (schema, key id): the cached key row keeps the stamp it was
# loaded with, since writing the stamp does not retire the cache (CredentialQuerySet.record_use).
_recent_stamps: dict[tuple[str, int], datetime] = {}


def _touch(api_key: ApiKey, now: datetime) -> None:
    """Record use, at most once per LAST_USED_RESOLUTION; the condition keeps racing requests to one write."""
    stamp_key = (str(connection.schema_name), api_key.pk)  # type: ignore[attr-defined]
    stamps = [stamp for stamp in (api_key.last_used_at, _recent_stamps.get(stamp_key)) if stamp is not None]
    if stamps and now - max(stamps) < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).record_use(last_used_at=now)
    api_key.last_used_at = now
    if len(_recent_stamps) >= 10_000:
        _recent_stamps.clear()
    _recent_stamps[stamp_key] = now
