"""``GET /api/v1/schema/``: the tenant's OpenAPI 3 document (JSON; ``?format=yaml`` for YAML), and
the Swagger UI (``/api/v1/docs/``) and Redoc (``/api/v1/redoc/``) pages that read it, with their
assets served from this host (drf-spectacular-sidecar). Redoc builds its search worker from a blob:
URL, which its view's policy allows (``api/rest/urls.py``).

The document lists the endpoints the signed-in user may call in this tenant (its modules, the
user's permissions) and types each record's ``custom`` object from the tenant's field definitions.
Building it takes a while, so it is cached (cache keys carry the tenant's schema) under the
definitions' version, the language, the modules and the permissions: a definition change yields
a new document on the next request."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.urls import include, path
from django.utils import translation
from drf_spectacular.plumbing import build_mock_request
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.openapi import extensions  # noqa: F401 - registers the custom-field extensions
from api.rest.openapi.conventions import add_api_conventions
from api.rest.records import acting_user
from customization.fields.versions import definitions_version
from modules.registry import enabled_module_keys

CACHE_SECONDS = 24 * 60 * 60
# Part of the cache key: raise it when code changes the document, so no older one is served.
DOCUMENT_FORMAT = 4
SCHEMA_URL_NAME = "api:schema"


def tenant_mock_request(method: str, path: str, view: Any, original_request: Request | None, **kwargs: Any) -> Any:
    """The request each endpoint is documented under (``SPECTACULAR_SETTINGS["GET_MOCK_REQUEST"]``):
    drf-spectacular's, plus the tenant (module checks need it) and the definitions already loaded
    for this document."""
    request = build_mock_request(method, path, view, original_request, **kwargs)
    if original_request is not None:
        request._request.tenant = original_request.tenant  # type: ignore[attr-defined]
        shared = getattr(original_request, "_custom_definitions", None)
        if shared is None:
            shared = {}
            original_request._custom_definitions = shared  # type: ignore[attr-defined]
        request._custom_definitions = shared
    return request


def api_patterns() -> list[Any]:
    """The documented URLs (imported when a document is built: this module is part of them)."""
    return [path("api/v1/", include("api.rest.urls"))]


def document_cache_key(request: Request) -> str:
    user = acting_user(request)
    audience = json.dumps(
        [sorted(enabled_module_keys(request.tenant)), sorted(user.permission_codes)]  # type: ignore[attr-defined]
    )
    digest = hashlib.sha256(audience.encode()).hexdigest()[:32]
    return f"openapi:{DOCUMENT_FORMAT}:v{definitions_version()}:{translation.get_language() or ''}:{digest}"


class TenantSchemaView(SpectacularAPIView):
    """The tenant's OpenAPI document for the signed-in user."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2]

    def _get_schema_response(self, request: Request) -> Response:
        key = document_cache_key(request)
        document = cache.get(key)
        if document is None:
            generator = self.generator_class(patterns=api_patterns(), api_version=self.api_version)
            document = add_api_conventions(generator.get_schema(request=request, public=False))
            cache.set(key, document, CACHE_SECONDS)
        return Response(document)


class SignInFirstMixin:
    """An HTML page: an anonymous visitor is sent to sign in and comes back."""

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())  # type: ignore[attr-defined]
        return super().handle_exception(exc)  # type: ignore[misc]


class SwaggerView(SignInFirstMixin, SpectacularSwaggerSplitView):
    """Swagger UI over the tenant's document; its start-up script is served by this view
    (``?script``) rather than inline, so the page runs under the site's Content-Security-Policy."""

    permission_classes = [IsAuthenticated]
    url_name = SCHEMA_URL_NAME


class RedocView(SignInFirstMixin, SpectacularRedocView):
    """Redoc over the tenant's document."""

    permission_classes = [IsAuthenticated]
    url_name = SCHEMA_URL_NAME
