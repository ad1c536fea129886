"""Warehouse exports: the tenant's main records as Parquet files, one per record type, in one zip
an administrator downloads and loads into a data warehouse (docs/warehouse-export.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WarehouseExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class WarehouseExport(models.Model):
    """One export: how far it got, the tables it wrote (name → rows) and its file, a key in the
    private warehouse storage that begins with ``warehouse/<schema>/``."""

    status = models.CharField(
        _("status"), max_length=10, choices=WarehouseExportStatus.choices, default=WarehouseExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    tables = models.JSONField(_("tables"), default=dict, blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    file_key = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warehouse export")
        verbose_name_plural = _("warehouse exports")

    def __str__(self) -> str:
        return f"warehouse export #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (WarehouseExportStatus.DONE, WarehouseExportStatus.FAILED)

    @property
    def download_name(self) -> str:
        stamp = f"{self.finished_at:%Y%m%d-%H%M}" if self.finished_at else str(self.pk)
        return f"warehouse-export-{stamp}.zip"
