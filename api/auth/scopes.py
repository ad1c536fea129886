"""OAuth2 scopes are the module scopes: django-oauth-toolkit asks this backend which exist and
which an application may be granted (those registered for it in the settings)."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import BaseScopes

from api.auth.credentials import scope_catalogue
from identity.models import OAuthApplicationScopes


def application_scopes(application: Any) -> list[str]:
    """The scopes registered for ``application`` that still exist, sorted."""
    if application is None or application.pk is None:
        return []
    row = OAuthApplicationScopes.objects.filter(application_id=application.pk).first()
    known = scope_catalogue()
    return sorted(code for code in (row.scopes if row else []) if code in known)


class ModuleScopes(BaseScopes):
    """Every module scope exists; an application may hold only its registered ones, and a request
    that names no scope gets all of them."""

    def get_all_scopes(self) -> dict[str, str]:
        return {code: str(label) for code, label in scope_catalogue().items()}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return list(scope_catalogue())
        return application_scopes(application)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return application_scopes(application)
