import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.collaboration.targets import SUBJECTS, one_target


def attachment_storage() -> Storage:
    """``STORAGES["attachments"]`` when configured (S3-compatible in production), else files under
    ``PRIVATE_FILES_ROOT/attachments``. Never a public URL: only the download view serves them."""
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT, base_url=None)


def new_storage_key(filename: str) -> str:
    """``attachments/<schema>/<random>.<ext>``: the tenant's own folder and an unguessable name (the
    user's file name is kept on the row, never in the storage key)."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{getattr(connection, 'schema_name', 'public')}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file on one company, contact, lead, deal or order; ``content_type`` is sniffed from its bytes.

    ``storage_key`` names the file in ``attachment_storage()``, looked up when used (not fixed when
    the model loads, as a ``FileField``'s storage would be), so the storage follows the settings."""

    storage_key = models.CharField(max_length=255, unique=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    order = models.ForeignKey(
        "sales.Order", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.CheckConstraint(condition=one_target(), name="collaboration_attachment_one_record")]
        indexes = [
            models.Index(
                fields=[key, "-created_at"], name=f"collab_file_{key}_idx", condition=Q(**{f"{key}__isnull": False})
            )
            for key in SUBJECTS
        ]

    def __str__(self) -> str:
        return self.name
