"""Small API rate limits and a frozen clock, so a test can count requests to the limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time stands still at START until the test shifts it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def limits(settings: Any, clock: time_machine.Traveller) -> Callable[..., None]:
    """``limits(tenant=…, credential=…)`` sets the per-minute limits for the test (on a frozen clock)."""

    def set_limits(*, tenant: int, credential: int) -> None:
        settings.API_RATE_LIMIT_TENANT_PER_MINUTE = tenant
        settings.API_RATE_LIMIT_CREDENTIAL_PER_MINUTE = credential

    return set_limits
