"""What an action returns, and helpers the actions share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from customization.workflows.engine.errors import StepError


@dataclass
class Outcome:
    """``output`` goes to the step log; ``resume_at`` pauses the run until then; ``after_commit``
    runs once the step's transaction has committed (an e-mail leaves only then)."""

    output: dict[str, Any] = field(default_factory=dict)
    resume_at: datetime | None = None
    after_commit: Callable[[], None] | None = None


def refused(error: ValidationError) -> StepError:
    """A service's ValidationError as a step error naming the fields."""
    if hasattr(error, "error_dict"):
        text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    else:
        text = " ".join(error.messages)
    return StepError(text)
