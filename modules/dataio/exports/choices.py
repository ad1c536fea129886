"""Choices of the export jobs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    LIST = "list", _("Record list")
    TENANT = "tenant", _("Full tenant export")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    ZIP = "zip", _("ZIP (JSON and CSV)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


# The error a job records when the disk filled up while its file was written (no file is kept).
DISK_FULL_ERROR = "disk_full"
