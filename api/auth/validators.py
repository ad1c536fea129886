"""django-oauth-toolkit's request validator with Relata's rule for client credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class RelataOAuth2Validator(OAuth2Validator):
    """Client-credentials tokens act as the user who registered the application.

    django-oauth-toolkit issues them without a user; every API permission here is a user's
    permission, so the token takes the registering user's and its scopes narrow them. A
    deactivated registering user can get no new token (and existing ones stop working: the API
    refuses tokens of deactivated users).
    """

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs):
            return False
        if grant_type == "client_credentials":
            owner = client.user
            return owner is not None and owner.is_active
        return True

    def _create_access_token(
        self, expires: datetime, request: Any, token: dict[str, Any], source_refresh_token: Any = None
    ) -> Any:
        if request.grant_type == "client_credentials":
            request.user = request.client.user
        return super()._create_access_token(expires, request, token, source_refresh_token=source_refresh_token)
