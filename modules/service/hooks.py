"""Parts of the service module that follow every case write in the same transaction.

The SLA clock, assignment rules and notifications live in their own packages; ``services.cases``
calls what they register here instead of importing them, so the case core depends on none of them.
A hook receives the case as saved and what happened (``CaseChange``) and may write, but must not
raise for ordinary data: an exception rolls the whole write back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# What happened to a case: "created", "updated", "status_changed", "message" (a message was added,
# ``message`` set), "merged" (on the case merged into; ``extra["merged_case"]``), "split" (on the case
# messages left; ``extra["new_case"]``), "deleted" (called before the row goes).
CaseHook = Callable[[Any, "CaseChange"], None]


@dataclass(frozen=True)
class CaseChange:
    action: str
    by: Any = None
    changed_fields: frozenset[str] = frozenset()
    message: Any = None
    previous_category: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_HOOKS: dict[str, CaseHook] = {}


def register_case_hook(name: str, hook: CaseHook) -> None:
    """Run ``hook`` after every case write (registering the same name again replaces it)."""
    _HOOKS[name] = hook


def run_case_hooks(case: Any, change: CaseChange) -> None:
    for hook in list(_HOOKS.values()):
        hook(case, change)
