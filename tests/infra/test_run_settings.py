"""`make run` serves with production behaviour unless a developer asks for DEBUG, and web workers
keep their database connections (with the health check that replaces a dead one)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _settings(module: str, monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    """The settings ``module`` defines under ``environment`` (its code run afresh; base's too for base)."""
    for name in ("DJANGO_DEBUG", "DATABASE_CONN_MAX_AGE", "PUBLIC_URL_SCHEME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module(module, run_name="settings_probe")


def test_make_run_serves_without_debug_and_with_http_links(monkeypatch: pytest.MonkeyPatch):
    local = _settings("crm_platform.settings.local", monkeypatch)

    assert local["DEBUG"] is False
    assert local["PUBLIC_URL_SCHEME"] == "http"  # the local server speaks plain http, and so do its links


def test_a_developer_asks_for_debug(monkeypatch: pytest.MonkeyPatch):
    assert _settings("crm_platform.settings.local", monkeypatch, DJANGO_DEBUG="1")["DEBUG"] is True


def test_links_are_https_elsewhere(monkeypatch: pytest.MonkeyPatch):
    assert _settings("crm_platform.settings.base", monkeypatch)["PUBLIC_URL_SCHEME"] == "https"


def test_the_graphql_debug_middleware_runs_only_with_debug():
    """graphene-django adds its SQL-recording middleware when DEBUG is on, and only then."""
    from django.conf import settings
    from graphene_django.settings import graphene_settings

    assert settings.DEBUG is False
    assert list(graphene_settings.MIDDLEWARE) == []


def test_web_workers_keep_their_connections_with_health_checks(monkeypatch: pytest.MonkeyPatch):
    """infra/gunicorn.conf.py sets the default for gunicorn's workers; Celery and commands connect per use."""
    config = (BASE_DIR / "infra" / "gunicorn.conf.py").read_text()
    assert 'os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")' in config

    web = _settings("crm_platform.settings.base", monkeypatch, DATABASE_CONN_MAX_AGE="60")["DATABASES"]["default"]
    other = _settings("crm_platform.settings.base", monkeypatch)["DATABASES"]["default"]

    assert (web["CONN_MAX_AGE"], web["CONN_HEALTH_CHECKS"]) == (60, True)
    assert other["CONN_MAX_AGE"] == 0
