"""A Microsoft Graph client for one connected account: bearer token from ``services.tokens``
(refreshed before it expires), one refresh and retry when Graph answers 401 (a token revoked or
expired early), ``@odata.nextLink`` paging, and errors as ``GraphError`` with a message for the
user. Links Graph returns are followed only on the configured Graph URL, so a token is never sent
anywhere else."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from django.utils.translation import gettext as _

from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.providers import get_provider
from modules.oauth_accounts.services.tokens import TIMEOUT, OAuthError, get_access_token, refresh_access_token

MAX_PAGE_SIZE = 50


class GraphError(OAuthError):
    """Graph refused a request or could not be reached; ``status`` is its HTTP status (0: none)."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_link: str
    delta_link: str


class GraphClient:
    def __init__(self, account: OAuthAccount) -> None:
        provider = get_provider(account.provider)
        if provider is None or not provider.endpoint("api_url"):
            raise GraphError(_("Microsoft Graph is not configured."))
        self.account = account
        self.base = provider.endpoint("api_url").rstrip("/")

    def url(self, path_or_link: str) -> str:
        if path_or_link.startswith(("http://", "https://")):
            if not path_or_link.startswith(self.base + "/"):
                raise GraphError(_("Microsoft Graph answered with a link elsewhere."))
            return path_or_link
        return self.base + "/" + path_or_link.lstrip("/")

    def request(
        self,
        method: str,
        path_or_link: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = self.url(path_or_link)
        token = get_access_token(self.account)
        for attempt in (1, 2):
            try:
                response = requests.request(
                    method, url, params=params, json=json, data=data, timeout=TIMEOUT,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})},
                )  # fmt: skip
            except requests.RequestException as error:
                raise GraphError(
                    _("Microsoft Graph could not be reached (%(error)s).") % {"error": type(error).__name__}
                ) from error
            if response.status_code == 401 and attempt == 1:
                token = refresh_access_token(self.account, rejected=token)
                continue
            if response.status_code >= 400:
                raise self._error(response)
            return response
        raise self._error(response)

    @staticmethod
    def _error(response: requests.Response) -> GraphError:
        try:
            error = response.json().get("error", {})
        except (ValueError, AttributeError):
            error = {}
        code = str(error.get("code", "") if isinstance(error, dict) else "")[:80]
        return GraphError(
            _("Microsoft Graph refused the request (%(status)s %(code)s).")
            % {"status": response.status_code, "code": code},
            response.status_code,
            code,
        )

    def json(self, method: str, path_or_link: str, **kwargs: Any) -> dict[str, Any]:
        response = self.request(method, path_or_link, **kwargs)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError as error:
            raise GraphError(_("Microsoft Graph answered with something else than JSON.")) from error
        return body if isinstance(body, dict) else {}

    def pages(self, path_or_link: str, *, params: Mapping[str, str] | None = None, prefer: str = "") -> Iterator[Page]:
        """Every page of a collection or delta query, following ``@odata.nextLink``."""
        link: str = path_or_link
        query = params
        preferences = ", ".join(filter(None, [f"odata.maxpagesize={MAX_PAGE_SIZE}", prefer]))
        while True:
            body = self.json("GET", link, params=query, headers={"Prefer": preferences})
            items = [item for item in body.get("value", []) if isinstance(item, dict)]
            next_link = str(body.get("@odata.nextLink", "") or "")
            yield Page(items, next_link, str(body.get("@odata.deltaLink", "") or ""))
            if not next_link:
                return
            link, query = next_link, None
