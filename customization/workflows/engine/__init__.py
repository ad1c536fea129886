"""The workflow engine: matching events to rules, evaluating conditions, running actions with a
per-step log, and simulating a rule (dry run)."""

from customization.workflows.engine.dry_run import DryRunResult, DryRunStep, dry_run
from customization.workflows.engine.runner import execute_run

__all__ = ["DryRunResult", "DryRunStep", "dry_run", "execute_run"]
