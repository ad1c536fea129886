"""Workflow rules, their versions, runs and per-step logs.

A rule's ``trigger_config``, ``conditions`` and ``actions`` are JSON documents:

- ``trigger_config`` by trigger: field_changed ``{"field": "amount" | "custom.region"}``;
  stage_entered ``{"stage_id": 7}``; date_reached ``{"field": "expected_close_date" |
  "custom.renewal", "offset_days": -3}`` (fires once per record and date value: the run's
  ``trigger_key`` is ``date:<record id>:<value>``); form_submitted
  ``{"form": "<form key>"}``; created/updated ``{}``.
- ``conditions``: a group ``{"match": "all" | "any", "conditions": [...]}`` whose items are
  comparisons ``{"field": "amount" | "custom.region" | "owner", "op": "eq|ne|gt|gte|lt|lte|
  contains|in|is_empty|is_not_empty|changed", "value": ...}`` or nested groups. An empty group
  matches.
- ``actions``: an ordered list, each ``{"type": <ActionType>, ...}``: update_field ``{"field",
  "value"}``; create_activity ``{"kind", "subject", "due_in": {"days": 2, "hours": 0},
  "assignee": "record_owner" | <user id>}``; assign_round_robin ``{"team_id"}``; send_email
  ``{"template_id", "to": "record" | "owner" | "<address>"}``; http_request ``{"url", "method":
  "POST", "headers": {}}``; wait ``{"hours": n}`` or ``{"days": n}``.

Every save of a rule's definition writes a ``WorkflowRuleVersion``; runs keep the version they
ran, so the history shows what a rule did at the time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customization.fields.choices import Entity
from customization.workflows.choices import RunStatus, SelectionStatus, StepStatus, Trigger, trigger_label


class WorkflowRule(models.Model):
    """When ``trigger`` happens to an ``entity`` record and ``conditions`` hold, run ``actions``."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    entity = models.CharField(_("record type"), max_length=20, choices=Entity.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_config = models.JSONField(_("trigger settings"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workflow rule")
        verbose_name_plural = _("workflow rules")
        indexes = [models.Index(fields=["entity", "trigger", "is_active"], name="workflows_rule_trigger_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def trigger_display(self) -> str:
        """The trigger's label, those the modules registered (``registry.register_trigger``) included."""
        return trigger_label(self.trigger)


class WorkflowRuleVersion(models.Model):
    """A rule as it was saved: trigger, conditions and actions frozen."""

    rule = models.ForeignKey("workflows.WorkflowRule", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="workflows_unique_rule_version")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class WorkflowRun(models.Model):
    """One execution of a rule version against one record. ``trigger_key`` (the event id, or
    ``date:<record>:<value>`` for date triggers) is unique per rule, so an event offered twice
    starts one run. A run claims itself with ``lease_until``; one whose lease ran out (its worker
    died) is picked up again and resumes at ``next_step``."""

    rule = models.ForeignKey("workflows.WorkflowRule", on_delete=models.CASCADE, related_name="runs")
    version = models.PositiveIntegerField()
    event = models.ForeignKey("events.DomainEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger_key = models.CharField(max_length=120)
    entity = models.CharField(max_length=20, choices=Entity.choices)
    record_id = models.BigIntegerField()
    depth = models.PositiveSmallIntegerField(default=0)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    next_step = models.PositiveSmallIntegerField(default=0)
    resume_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "trigger_key"], name="workflows_unique_run_per_trigger"),
        ]
        indexes = [
            models.Index(fields=["rule", "-created_at"], name="workflows_run_history_idx"),
            models.Index(fields=["status", "resume_at"], name="workflows_run_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} run {self.pk}"


class WorkflowStepRun(models.Model):
    """The log of one action of a run: what went in, what came out, what went wrong."""

    run = models.ForeignKey("workflows.WorkflowRun", on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    action_type = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.RUNNING)
    input = models.JSONField(default=dict, blank=True)
    output = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="workflows_unique_step")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.position} {self.action_type}"


class EmailTemplate(models.Model):
    """A message workflows send; ``{{ record.<field> }}`` / ``{{ record.custom.<key> }}`` /
    ``{{ owner.first_name }}`` merge fields are filled from the record."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoundRobinCursor(models.Model):
    """Who in a team got the last record from a rule's round-robin assignment (locked per use)."""

    rule = models.ForeignKey("workflows.WorkflowRule", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("identity.Team", on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rule", "team"]
        constraints = [models.UniqueConstraint(fields=["rule", "team"], name="workflows_unique_cursor")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.team_id}"


class SelectionRun(models.Model):
    """A rule started by someone on records they chose (a report's group, customers at risk): the
    records, fixed when it was asked for, and how far starting their runs got. Its runs' trigger
    keys are ``selection:<id>:<record id>``, so each record runs once however often a batch is
    retried; their outcomes are read from the runs."""

    rule = models.ForeignKey("workflows.WorkflowRule", on_delete=models.CASCADE, related_name="selections")
    version = models.PositiveIntegerField()
    entity = models.CharField(max_length=20, choices=Entity.choices)
    label = models.CharField(_("selection"), max_length=300)
    record_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When a batch last saved its progress: a selection still starting whose batches stopped
    # arriving (a lost message) is queued again, one still being worked on is not.
    progressed_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While ``status`` is waiting: when the next batch starts (the rate limit's minute is over).
    resumes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("workflow started on a selection")

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.total} {self.entity}"

    @property
    def trigger_prefix(self) -> str:
        return f"selection:{self.pk}:"

    @property
    def status_text(self) -> str:
        """The status in words; a selection paused by the rate limit says when it resumes (the
        current time zone's hour and minute)."""
        if self.status == SelectionStatus.WAITING and self.resumes_at is not None:
            return _("Waiting for the rate limit (resumes at %(time)s)") % {
                "time": timezone.localtime(self.resumes_at).strftime("%H:%M")
            }
        return str(self.get_status_display())
