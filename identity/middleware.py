"""The language a request is served in: the user's choice, else the tenant's default."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from identity.locales import is_supported_locale


class UserLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated and user.locale:
            language = user.locale
        elif settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            tenant = getattr(request, "tenant", None)
            language = getattr(tenant, "locale", None)
        if is_supported_locale(language):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
