"""OAuth2 applications of the tenant: register, rotate the client secret, delete.

django-oauth-toolkit stores only a hash of the client secret, so the plaintext is returned once,
at registration or rotation. The scopes an application may be granted live beside it
(``identity.OAuthApplicationScopes``); its tokens act as a user (the consenting one, or for client
credentials the one who registered it) narrowed by those scopes.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from identity.models import OAuthApplicationScopes, User
from identity.services.api_keys import clean_scopes
from identity.services.audit import audit

GRANT_TYPES = (Application.GRANT_AUTHORIZATION_CODE, Application.GRANT_CLIENT_CREDENTIALS)
CLIENT_TYPES = (Application.CLIENT_CONFIDENTIAL, Application.CLIENT_PUBLIC)
NAME_MAX_LENGTH = 100
MAX_REDIRECT_URIS = 10


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_redirect_uris(uris: list[str]) -> list[str]:
    """Absolute https URIs without fragments (http only on loopback, for native apps: RFC 8252)."""
    cleaned: list[str] = []
    for uri in uris:
        uri = uri.strip()
        if not uri:
            continue
        parts = urlsplit(uri)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise ValidationError({"redirect_uris": [_("%(uri)s is not an absolute https URL.") % {"uri": uri}]})
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValidationError(
                {"redirect_uris": [_("%(uri)s: plain http is allowed only for localhost.") % {"uri": uri}]}
            )
        if parts.fragment:
            raise ValidationError({"redirect_uris": [_("%(uri)s must not have a #fragment.") % {"uri": uri}]})
        cleaned.append(uri)
    if len(cleaned) > MAX_REDIRECT_URIS:
        raise ValidationError({"redirect_uris": [_("At most %(count)d redirect URIs.") % {"count": MAX_REDIRECT_URIS}]})
    return list(dict.fromkeys(cleaned))


def register_application(
    *, name: str, client_type: str, grant_type: str, redirect_uris: list[str], scopes: list[str], by: User
) -> tuple[Application, str | None]:
    """Register an application owned by ``by``; returns it and its client secret (None for a public client)."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the application a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}]
    if client_type not in CLIENT_TYPES:
        errors["client_type"] = [_("Choose confidential or public.")]
    if grant_type not in GRANT_TYPES:
        errors["grant_type"] = [_("Choose authorization code or client credentials.")]
    if grant_type == Application.GRANT_CLIENT_CREDENTIALS and client_type == Application.CLIENT_PUBLIC:
        errors["client_type"] = [_("Client credentials need a confidential client: a public one cannot keep a secret.")]
    uris: list[str] = []
    try:
        uris = clean_redirect_uris(redirect_uris)
    except ValidationError as error:
        errors.update(error.message_dict)
    if grant_type == Application.GRANT_AUTHORIZATION_CODE and not uris and "redirect_uris" not in errors:
        errors["redirect_uris"] = [_("The authorization code flow needs at least one redirect URI.")]
    if grant_type == Application.GRANT_CLIENT_CREDENTIALS and uris:
        errors["redirect_uris"] = [_("Client credentials use no redirect; leave this empty.")]
    try:
        codes = clean_scopes(scopes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    secret = generate_client_secret()
    application = Application(
        name=name,
        user=by,
        client_type=client_type,
        authorization_grant_type=grant_type,
        redirect_uris=" ".join(uris),
        client_secret=secret,  # hashed on save
        hash_client_secret=True,
        skip_authorization=False,
    )
    application.full_clean(exclude=["client_id", "client_secret"])
    with transaction.atomic():
        application.save()
        OAuthApplicationScopes.objects.create(application=application, scopes=codes)
        audit(
            "oauth_app.registered",
            _("OAuth application %(name)s registered.") % {"name": name},
            by=by,
            target=f"oauth_app:{application.client_id}",
            details={"scopes": codes, "grant_type": grant_type, "redirect_uris": uris},
        )
    return application, secret if client_type == Application.CLIENT_CONFIDENTIAL else None


def rotate_client_secret(application: Application) -> str:
    """A new client secret for a confidential application; the old one stops working at once.
    Tokens already issued stay valid until they expire or are revoked."""
    if application.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ValidationError({"client_type": [_("A public client has no secret to rotate.")]})
    secret = generate_client_secret()
    application.client_secret = secret
    application.hash_client_secret = True
    with transaction.atomic():
        application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
        audit(
            "oauth_app.secret_rotated",
            _("OAuth application %(name)s got a new client secret.") % {"name": application.name},
            target=f"oauth_app:{application.client_id}",
        )
    return secret


def delete_application(application: Application) -> None:
    """Delete the application with its grants, tokens and scopes: its access ends at once."""
    with transaction.atomic():
        OAuthApplicationScopes.objects.filter(application_id=application.pk).delete()
        audit(
            "oauth_app.deleted",
            _("OAuth application %(name)s deleted; its tokens stopped working.") % {"name": application.name},
            target=f"oauth_app:{application.client_id}",
        )
        application.delete()
