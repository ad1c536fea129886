from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    RECORD_CREATED = "record_created", _("Record created")
    RECORD_UPDATED = "record_updated", _("Record updated")
    FIELD_CHANGED = "field_changed", _("Field changed")
    STAGE_ENTERED = "stage_entered", _("Deal enters a stage")
    DATE_REACHED = "date_reached", _("Date reached")
    FORM_SUBMITTED = "form_submitted", _("Form submitted")


class ActionType(models.TextChoices):
    UPDATE_FIELD = "update_field", _("Update a field")
    CREATE_ACTIVITY = "create_activity", _("Create an activity or task")
    ASSIGN_ROUND_ROBIN = "assign_round_robin", _("Assign owner (round robin in a team)")
    SEND_EMAIL = "send_email", _("Send an e-mail from a template")
    HTTP_REQUEST = "http_request", _("Call an HTTP endpoint")
    WAIT = "wait", _("Wait")


def action_choices() -> list[tuple[str, str]]:
    """The built-in actions and those the modules registered (``registry.register_action``)."""
    from customization.workflows.registry import registered_actions

    return [*ActionType.choices, *((action.key, action.label) for action in registered_actions())]


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    WAITING = "waiting", _("Waiting")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class StepStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SIMULATED = "simulated", _("Simulated (dry run)")


def trigger_choices() -> list[tuple[str, str]]:
    """The built-in triggers and those the modules registered (``registry.register_trigger``)."""
    from customization.workflows.registry import registered_triggers

    return [*Trigger.choices, *((trigger.key, trigger.label) for trigger in registered_triggers())]


def trigger_label(key: str) -> str:
    return str(dict(trigger_choices()).get(key, key))


class SelectionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    STARTING = "starting", _("Starting runs")
    # The per-minute rate limit had no room: the next batch starts at ``SelectionRun.resumes_at``.
    WAITING = "waiting", _("Waiting for the rate limit")
    STARTED = "started", _("All runs started")
