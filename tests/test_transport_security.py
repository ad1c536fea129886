"""Production settings: browsers are told to use HTTPS for the base domain and every tenant's
subdomain for a year (HSTS), and Django's deployment checks agree."""

from __future__ import annotations

import importlib

from django.core.checks import run_checks
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory, override_settings

production = importlib.import_module("crm_platform.settings.production")
PRODUCTION_SECURITY = {
    name: getattr(production, name)
    for name in dir(production)
    if name.startswith(("SECURE_", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"))
}


def test_production_settings_ask_for_https_on_every_subdomain_without_preloading():
    assert production.SECURE_HSTS_SECONDS == 60 * 60 * 24 * 365
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SECURE_HSTS_PRELOAD is False


def test_a_secure_response_under_production_settings_carries_hsts_with_subdomains():
    with override_settings(**PRODUCTION_SECURITY):
        middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
        secure = middleware(RequestFactory().get("/", secure=True, HTTP_X_FORWARDED_PROTO="https"))
        plain_redirect = middleware(RequestFactory().get("/contacts/"))

    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert plain_redirect.status_code == 301
    assert not plain_redirect.has_header("Strict-Transport-Security")


def test_the_deployment_checks_find_nothing_to_say_about_hsts_under_production_settings():
    with override_settings(**PRODUCTION_SECURITY):
        messages = run_checks(tags=["security"], include_deployment_checks=True)

    assert [message.id for message in messages if message.id in {"security.W004", "security.W005"}] == []
