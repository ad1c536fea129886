"""OAuth2 tokens (RFC 6749) of connected accounts: the authorization code exchanged with its PKCE
verifier (RFC 7636), and access tokens refreshed shortly before they expire.

A refresh runs under the account's row lock: two workers needing a token at once never both
spend the refresh token (providers rotate it, and the second use of a rotated one would be
refused as ``invalid_grant``): the second one waits, then finds the first one's fresh token. A
refresh refused with ``invalid_grant`` means the user's consent is gone: the account becomes
``revoked`` (``services.accounts.mark_revoked`` tells the user) and every caller stops."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.encryption import UnreadableSecret, decrypt, encrypt
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.providers import Provider, TokenAnswer, get_provider

TIMEOUT = 30
# Refreshed this long before the provider's expiry, so a token never expires during a request.
REFRESH_MARGIN = timedelta(minutes=5)
MAX_EXPIRES_IN = 24 * 3600


class OAuthError(Exception):
    """The provider could not be reached or refused a request; the message is for the user."""


class AccountRevoked(OAuthError):
    """The account's access was withdrawn (``invalid_grant``): only connecting again mends it."""


class _InvalidGrant(Exception):
    pass


def _post_token(provider: Provider, data: dict[str, str]) -> dict[str, Any]:
    form = {**data, "client_id": provider.client_id}
    if provider.client_secret:
        form["client_secret"] = provider.client_secret
    try:
        response = requests.post(
            provider.endpoint("token_url"), data=form, headers={"Accept": "application/json"}, timeout=TIMEOUT
        )
    except requests.RequestException as error:
        raise OAuthError(
            _("%(provider)s could not be reached (%(error)s).")
            % {"provider": provider.label, "error": type(error).__name__}
        ) from error
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code in (400, 401) and body.get("error") == "invalid_grant":
        raise _InvalidGrant(str(body.get("error_description", ""))[:300])
    if response.status_code != 200 or not body.get("access_token"):
        raise OAuthError(
            _("%(provider)s refused the request (%(status)s %(error)s).")
            % {"provider": provider.label, "status": response.status_code, "error": str(body.get("error", ""))[:80]}
        )
    return body


def _answer(body: dict[str, Any]) -> TokenAnswer:
    try:
        expires_in = int(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        expires_in = 3600
    return TokenAnswer(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token", "") or ""),
        expires_in=max(0, min(expires_in, MAX_EXPIRES_IN)),
        scopes=str(body.get("scope", "") or "").split(),
        raw=body,
    )


def exchange_code(provider: Provider, *, code: str, redirect_uri: str, code_verifier: str) -> TokenAnswer:
    """The tokens for an authorization code (raises ``OAuthError``; a refused code included)."""
    try:
        body = _post_token(
            provider,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
        )
    except _InvalidGrant as error:
        raise OAuthError(_("%(provider)s refused the sign-in; try again.") % {"provider": provider.label}) from error
    return _answer(body)


def token_fields(answer: TokenAnswer, *, keep_refresh: str = "") -> dict[str, Any]:
    """Model fields for a token answer (a refresh answer without a new refresh token keeps the old)."""
    return {
        "access_token": encrypt(answer.access_token),
        "refresh_token": encrypt(answer.refresh_token) if answer.refresh_token else keep_refresh,
        "expires_at": timezone.now() + timedelta(seconds=answer.expires_in),
    }


def _is_fresh(account: OAuthAccount) -> bool:
    return bool(account.access_token and account.expires_at and account.expires_at > timezone.now() + REFRESH_MARGIN)


def _copy_tokens(source: OAuthAccount, target: OAuthAccount) -> None:
    for name in ("access_token", "refresh_token", "expires_at", "scopes", "state", "last_error", "last_error_at"):
        setattr(target, name, getattr(source, name))


def get_access_token(account: OAuthAccount) -> str:
    """A working access token of ``account``: the stored one while it has more than a few minutes
    left, else a refreshed one. Raises ``AccountRevoked`` or ``OAuthError``."""
    if account.state == AccountState.REVOKED:
        raise AccountRevoked(_("The access to %(email)s was withdrawn.") % {"email": account.email})
    if _is_fresh(account):
        try:
            return decrypt(account.access_token)
        except UnreadableSecret:
            pass
    return refresh_access_token(account)


def refresh_access_token(account: OAuthAccount, *, rejected: str = "") -> str:
    """Refresh under the row lock. ``rejected`` is a token the provider's API just refused (401):
    a fresh stored token other than it was refreshed by another worker and is used as it is."""
    from modules.oauth_accounts.services.accounts import mark_revoked, record_token_failure

    revoked = ""
    failure: OAuthError | None = None
    with transaction.atomic():
        locked = OAuthAccount.objects.select_for_update().get(pk=account.pk)
        if locked.state == AccountState.REVOKED:
            _copy_tokens(locked, account)
            raise AccountRevoked(_("The access to %(email)s was withdrawn.") % {"email": locked.email})
        current = ""
        try:
            current = decrypt(locked.access_token)
            refresh = decrypt(locked.refresh_token)
        except UnreadableSecret:
            refresh = ""
        if current and current != rejected and _is_fresh(locked):
            _copy_tokens(locked, account)
            return current
        provider = get_provider(locked.provider)
        if provider is None or not refresh:
            revoked = "no refresh token"
        else:
            try:
                answer = _answer(_post_token(provider, {"grant_type": "refresh_token", "refresh_token": refresh}))
            except _InvalidGrant as error:
                revoked = str(error) or "invalid_grant"
            except OAuthError as error:
                failure = error
            else:
                values = token_fields(answer, keep_refresh=locked.refresh_token)
                values.update(state=AccountState.ACTIVE, last_error="", last_error_at=None)
                if answer.scopes:
                    values["scopes"] = answer.scopes
                for name, value in values.items():
                    setattr(locked, name, value)
                locked.save(update_fields=[*values, "updated_at"])
                _copy_tokens(locked, account)
                return answer.access_token
    if failure is not None:
        record_token_failure(account, str(failure))
        raise failure
    mark_revoked(account, revoked)
    raise AccountRevoked(_("The access to %(email)s was withdrawn.") % {"email": account.email})
