"""Writers of connected accounts: connected (or connected again) after the authorization-code
flow, a token failure recorded, access withdrawn (``revoked``, the user told once), released when
nothing uses the account any more (the refresh token revoked at the provider when it offers it).
Events carry no address or token."""

from __future__ import annotations

import logging

import requests
from django.db import transaction
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.encryption import UnreadableSecret, decrypt
from customization.events.outbox import emit
from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.providers import Provider, TokenAnswer, get_provider
from modules.oauth_accounts.services.tokens import TIMEOUT, token_fields

logger = logging.getLogger(__name__)


def connect_account(*, user: User, provider: Provider, email: str, answer: TokenAnswer) -> OAuthAccount:
    """The user's account at ``provider`` with these tokens: created, or (connected again, e.g.
    after its access was withdrawn) given the new tokens and made active."""
    values = {
        **token_fields(answer),
        "scopes": answer.scopes,
        "state": AccountState.ACTIVE,
        "last_error": "",
        "last_error_at": None,
    }
    with transaction.atomic():
        account = (
            OAuthAccount.objects.select_for_update()
            .filter(user=user, provider=provider.name, email__iexact=email)
            .first()
        )
        if account is None:
            account = OAuthAccount.objects.create(user=user, provider=provider.name, email=email, **values)
        else:
            for name, value in values.items():
                setattr(account, name, value)
            account.save()
        emit("oauth_account.connected", account, entity="oauth_account", actor=user, data={"provider": provider.name})
    return account


def record_token_failure(account: OAuthAccount, error: str) -> None:
    now = timezone.now()
    OAuthAccount.objects.filter(pk=account.pk).exclude(state=AccountState.REVOKED).update(
        state=AccountState.FAILING, last_error=error[:500], last_error_at=now
    )
    account.refresh_from_db(fields=["state", "last_error", "last_error_at"])


def mark_revoked(account: OAuthAccount, reason: str) -> None:
    """The provider refused the refresh token: the account stops (every sync of it checks) and its
    user is told once, by a notification and on the settings pages."""
    now = timezone.now()
    with transaction.atomic():
        changed = (
            OAuthAccount.objects.filter(pk=account.pk)
            .exclude(state=AccountState.REVOKED)
            .update(state=AccountState.REVOKED, last_error=reason[:500], last_error_at=now, access_token="")
        )
        if changed:
            emit("oauth_account.revoked", account, entity="oauth_account", data={"provider": account.provider})
            notify(
                [account.user],
                kind=NotificationKind.MAILBOX_BROKEN,
                entity="oauth_account",
                record_id=account.pk,
                title=lambda: (
                    _("The access to %(email)s was withdrawn: connect the account again.") % {"email": account.email}
                ),
                dedupe_prefix=f"oauth-revoked:{account.pk}:{now:%Y%m%d%H%M%S}",
            )
    account.refresh_from_db()


def _in_use(account: OAuthAccount) -> bool:
    for relation in account._meta.related_objects:
        model = relation.related_model
        if not isinstance(relation, ForeignObjectRel) or model is None or isinstance(model, str):
            continue
        if model._default_manager.filter(**{relation.field.name: account}).exists():
            return True
    return False


def _revoke_at_provider(provider: Provider | None, stored_refresh: str) -> None:
    """RFC 7009 revocation where the provider offers it (Microsoft's identity platform has no
    such endpoint: there the consent is withdrawn from the account's own settings)."""
    if provider is None or not provider.endpoint("revoke_url") or not stored_refresh:
        return
    try:
        token = decrypt(stored_refresh)
        requests.post(provider.endpoint("revoke_url"), data={"token": token}, timeout=TIMEOUT)
    except (UnreadableSecret, requests.RequestException) as error:
        logger.info("revoking a %s token failed (%s)", provider.name, type(error).__name__)


def release_account(account: OAuthAccount, *, by: User) -> bool:
    """Forget the account once no mailbox or calendar connection uses it (its tokens are deleted,
    and revoked at the provider when it can). Whether it was released."""
    if _in_use(account):
        return False
    stored_refresh = account.refresh_token
    with transaction.atomic():
        emit("oauth_account.disconnected", account, entity="oauth_account", actor=by)
        account.delete()
    _revoke_at_provider(get_provider(account.provider), stored_refresh)
    return True
