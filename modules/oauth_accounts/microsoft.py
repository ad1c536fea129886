"""Microsoft 365 and Outlook.com accounts (the Microsoft identity platform's v2.0 endpoints, the
``common`` tenant so work, school and personal accounts all sign in). The account's address is
read from Microsoft Graph's ``/me`` (``mail``, else ``userPrincipalName`` for accounts without an
Exchange address)."""

from __future__ import annotations

import requests
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.oauth_accounts.providers import Provider, TokenAnswer, get_provider, register_provider
from modules.oauth_accounts.services.tokens import TIMEOUT, OAuthError

NAME = "microsoft"
SCOPES = (
    "openid",
    "email",
    "offline_access",
    "User.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Calendars.ReadWrite",
)


def read_email(answer: TokenAnswer) -> str:
    provider = get_provider(NAME)
    if provider is None:
        raise OAuthError(_("Microsoft accounts are not offered."))
    try:
        response = requests.get(
            provider.endpoint("api_url").rstrip("/") + "/me",
            params={"$select": "mail,userPrincipalName"},
            headers={"Authorization": f"Bearer {answer.access_token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )
        body = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError) as error:
        raise OAuthError(
            _("Microsoft Graph could not be reached (%(error)s).") % {"error": type(error).__name__}
        ) from error
    email = str(body.get("mail") or body.get("userPrincipalName") or "").strip()
    if "@" not in email or len(email) > 254:
        raise OAuthError(_("Microsoft did not tell the account's e-mail address."))
    return email


def register() -> None:
    register_provider(
        Provider(
            name=NAME,
            label=gettext_lazy("Microsoft 365 / Outlook.com"),
            scopes=SCOPES,
            read_email=read_email,
            authorize_params={"response_mode": "query", "prompt": "select_account"},
        )
    )
