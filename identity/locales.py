"""The interface languages the platform offers (settings.LANGUAGES)."""

from typing import TypeGuard

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# A chosen language is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def is_supported_locale(code: str | None) -> TypeGuard[str]:
    return any(code == supported for supported, _name in settings.LANGUAGES)


def remember_language(response: HttpResponse, request: HttpRequest, language: str) -> None:
    """The language cookie the locale middleware reads (staff pages and the customer portal)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=False,
    )
