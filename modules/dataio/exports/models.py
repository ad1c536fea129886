"""Export jobs: a list export too large to stream at once, or a full tenant export, built by a
Celery task into a private file that only the authorizing download view serves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.dataio.exports.choices import DISK_FULL_ERROR, ExportFormat, ExportKind, ExportStatus


class ExportJob(models.Model):
    """One export: what (entity and the list's query string, or the whole tenant), in which format,
    how far it got, and the file it produced (a path in the private export storage that begins
    with the tenant's schema name)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ExportKind.choices, default=ExportKind.LIST)
    entity = models.CharField(_("record type"), max_length=20, blank=True)
    file_format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    # The list's filters, sort and columns exactly as its page had them (``cf.<key>`` included).
    query = models.TextField(_("filters"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    file_path = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="exports_job_owner_idx"),
            models.Index(fields=["expires_at"], name="exports_job_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_file_format_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)

    @property
    def ran_out_of_space(self) -> bool:
        return self.status == ExportStatus.FAILED and self.error == DISK_FULL_ERROR

    @property
    def download_name(self) -> str:
        stem = self.entity or "tenant"
        return f"{stem}-export-{self.pk}.{self.file_format}"
