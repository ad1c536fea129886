"""What the modules let a tenant keep for a limited time. Each module registers a
``RetentionTarget`` from its ``AppConfig.ready()``; the tenant sets a period per target on
Settings → Data retention and the daily task deletes what is older (``services.apply_retention``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RetentionTarget:
    key: str
    label: Any  # lazily translated
    help_text: Any
    # ``delete_before(cutoff, limit)``: delete at most ``limit`` of the oldest records older than
    # ``cutoff``; returns how many went (fewer than ``limit``: nothing older is left).
    delete_before: Callable[[datetime, int], int]
    # The plan module that brings the records (None: every tenant has them).
    module: str | None = None


_TARGETS: dict[str, RetentionTarget] = {}


def register_retention(target: RetentionTarget) -> None:
    _TARGETS[target.key] = target


def retention_targets() -> tuple[RetentionTarget, ...]:
    return tuple(sorted(_TARGETS.values(), key=lambda target: target.key))


def retention_target(key: str) -> RetentionTarget | None:
    return _TARGETS.get(key)
