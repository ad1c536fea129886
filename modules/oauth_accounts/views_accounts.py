"""Settings → Connected accounts (``activities.change``): the user's own accounts at Microsoft and
Google, each with its state, the last error the provider gave (a ``failing`` account is retried by
the next sync; a ``revoked`` one waits for the user) and what it serves (a mailbox, a calendar). An
account that is not working offers "Reconnect" for each thing it serves: the same connect flow,
which mends the account and what uses it. Nobody sees anyone else's accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from identity.decorators import permission_required, signed_in_user
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.providers import get_provider
from modules.oauth_accounts.purposes import Purpose, all_purposes

PERMISSION = "activities.change"


@dataclass
class AccountRow:
    account: OAuthAccount
    provider_label: str
    uses: list[Purpose]
    can_reconnect: bool  # the provider is still offered


@require_GET
@permission_required(PERMISSION)
def account_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    accounts = list(OAuthAccount.objects.filter(user=user).order_by("provider", "email", "pk"))
    in_use = {
        purpose.name: set(purpose.accounts_in_use(user)) if purpose.accounts_in_use and accounts else set()
        for purpose in all_purposes()
    }
    rows = []
    for account in accounts:
        provider = get_provider(account.provider)
        rows.append(
            AccountRow(
                account=account,
                provider_label=str(provider.label) if provider else account.provider,
                uses=[purpose for purpose in all_purposes() if account.pk in in_use[purpose.name]],
                can_reconnect=provider is not None and provider.enabled,
            )
        )
    return render(
        request,
        "oauth_accounts/list.html",
        {"rows": rows, "broken": [row for row in rows if row.account.state != AccountState.ACTIVE]},
    )
