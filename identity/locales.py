"""The interface languages the platform offers (settings.LANGUAGES)."""

from typing import TypeGuard

from django.conf import settings


def is_supported_locale(code: str | None) -> TypeGuard[str]:
    return any(code == supported for supported, _name in settings.LANGUAGES)
