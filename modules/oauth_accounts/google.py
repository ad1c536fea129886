"""Google accounts (Gmail and Google Calendar) through Google's OAuth 2.0 for web server
applications: ``access_type=offline`` so Google gives a refresh token, ``prompt=consent`` so it
gives one again when the user connects a second time, and the scopes the mailbox and calendar
sync need (read and send mail, read and write calendar events) besides ``openid email``. The
account's address is read from the OpenID Connect userinfo endpoint (only a verified one). Its
endpoints and app registration are ``settings.OAUTH_PROVIDERS["google"]``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customization import outbound_http
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.providers import Provider, TokenAnswer, get_provider, register_provider
from modules.oauth_accounts.services.tokens import TIMEOUT, OAuthError, get_access_token, refresh_access_token

# What the Gmail and Google Calendar clients call for a bearer token (``token_source``).
TokenSource = Callable[[str], str]

NAME = "google"
SCOPES = (
    "openid",
    "email",
    "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.send",
    "https://www.googleapis.com/auth/calendar.events",
)


def read_email(answer: TokenAnswer) -> str:
    provider = get_provider(NAME)
    if provider is None or not provider.endpoint("userinfo_url"):
        raise OAuthError(_("Google is not configured."))
    try:
        response = requests.get(
            provider.endpoint("userinfo_url"),
            headers={"Authorization": f"Bearer {answer.access_token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )
        body = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError) as error:
        raise OAuthError(_("Google could not be reached (%(error)s).") % {"error": type(error).__name__}) from error
    email = str(body.get("email") or "").strip() if isinstance(body, dict) else ""
    if "@" not in email or len(email) > 254 or body.get("email_verified") is False:
        raise OAuthError(_("Google did not tell the account's verified e-mail address."))
    return email


def token_source(account: OAuthAccount) -> TokenSource:
    """What the Gmail and Google Calendar clients call for a bearer token: the account's current
    one (refreshed first when it is about to expire), or, given the token Google just refused
    (``401``), a refreshed one; ``AccountRevoked`` when Google refuses the refresh token."""

    def token(rejected: str) -> str:
        return refresh_access_token(account, rejected=rejected) if rejected else get_access_token(account)

    return token


class GoogleApi:
    """Calls to one of Google's JSON REST APIs with an account's bearer token, for the Gmail and
    Google Calendar clients: the token is asked for on first use and asked for again, once, after a
    ``401`` (expired or revoked meanwhile). Raises ``outbound_http.OutboundError`` when Google
    cannot be reached; every answer, a ``401`` after the retry included, is the caller's to read."""

    def __init__(self, token: TokenSource, *, timeout: float, max_answer: int) -> None:
        self._token = token
        self._access = ""
        self._timeout = timeout
        self._max_answer = max_answer

    def send(
        self, method: str, url: str, *, params: dict[str, Any] | None = None, body: Any = None,
        headers: dict[str, str] | None = None, data: bytes | None = None,
    ) -> outbound_http.Response:  # fmt: skip
        """``body`` is sent as JSON; ``data`` as it is, with the Content-Type of ``headers``."""
        if params:
            url += "?" + urlencode({name: value for name, value in params.items() if value not in (None, "")})
        payload = json.dumps(body).encode() if body is not None else (data or b"")
        for attempt in range(2):
            if not self._access or attempt:
                self._access = self._token(self._access if attempt else "")
            sent = {"Authorization": f"Bearer {self._access}", "Accept": "application/json", **(headers or {})}
            if body is not None:
                sent["Content-Type"] = "application/json"
            answer = outbound_http.send(
                method, url, body=payload, headers=sent, timeout=self._timeout, max_body=self._max_answer
            )
            if answer.status != 401:
                break
        return answer

    def renew(self) -> None:
        """Ask for a fresh token now: Google refused the current one inside a batch, whose own
        status is 200."""
        self._access = self._token(self._access) if self._access else self._token("")


def register() -> None:
    register_provider(
        Provider(
            name=NAME,
            label=gettext_lazy("Google (Gmail, Google Calendar)"),
            scopes=SCOPES,
            read_email=read_email,
            authorize_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        )
    )
