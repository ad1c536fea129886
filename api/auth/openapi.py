"""The OpenAPI document's bearer security scheme (drf-spectacular finds it by subclassing)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerCredentialScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.rest.authentication.BearerCredentialAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API key (rlt_…, created under Settings → API keys) or an OAuth2 access token, "
                "sent as `Authorization: Bearer <token>`. Its scopes narrow what the user may do."
            ),
        }
