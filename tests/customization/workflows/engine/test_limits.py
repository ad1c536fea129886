"""The limits: per-tenant run budget per minute, failing open without the cache; backoff."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from customization.workflows.limits import retry_delay, take_run_slot
from tests.tenancy import TenantFixture


def test_each_tenant_has_its_own_budget_per_minute(alpha: TenantFixture, beta: TenantFixture, settings) -> None:
    settings.WORKFLOW_RUNS_PER_MINUTE = 2
    with alpha.active():
        spent = [take_run_slot(now=120.0) for _index in range(3)]
        next_minute = take_run_slot(now=180.0)
    with beta.active():
        other_tenant = take_run_slot(now=120.0)

    assert spent == [True, True, False]
    assert next_minute is True
    assert other_tenant is True


def test_without_the_cache_runs_are_let_through(alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "incr", unavailable)
    with alpha.active():
        assert take_run_slot() is True


def test_retries_back_off_exponentially(settings) -> None:
    settings.WORKFLOW_RETRY_BASE_SECONDS = 10

    assert [retry_delay(attempt) for attempt in (1, 2, 3, 4)] == [10, 20, 40, 80]
