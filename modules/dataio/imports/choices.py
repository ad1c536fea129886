"""Choices of record imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportEntity(models.TextChoices):
    """The records a file can bring in (values are the custom-field entity keys)."""

    COMPANY = "company", _("Companies")
    CONTACT = "contact", _("Contacts")
    LEAD = "lead", _("Leads")
    DEAL = "deal", _("Deals")
    ORDER = "order", _("Orders")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class DedupeRule(models.TextChoices):
    """What a row that matches an existing record does (contacts and leads match by e-mail,
    companies by name or web domain, deals by name, orders by number)."""

    CREATE = "create", _("Create every row as a new record")
    SKIP = "skip", _("Skip rows that match an existing record")
    UPDATE = "update", _("Update the matching record")


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    MAPPING = "mapping", _("Waiting for column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class RecordAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
