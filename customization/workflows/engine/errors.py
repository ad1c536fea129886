"""What can go wrong in a step: a ``TransientError`` (a 5xx, a timeout, a lost database
connection) is tried again with backoff; a ``StepError`` (bad configuration, a refused value)
fails the run at once."""

from __future__ import annotations


class StepError(Exception):
    """The step cannot succeed as configured; ``str(error)`` is shown in the run log."""


class TransientError(StepError):
    """The step may succeed if tried again later."""
