from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models.base import ContactPoints, PostalAddress
from modules.contacts.models.managers import SearchableManager


def join_name(first_name: str, last_name: str) -> str:
    return " ".join(part for part in (first_name.strip(), last_name.strip()) if part)


class Contact(ContactPoints, PostalAddress):
    """A person, optionally working at a company."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    # Kept in step by save() (and by bulk writers) so lists sort and search one column.
    full_name = models.CharField(_("name"), max_length=201, editable=False)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_contacts"
    )
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="contacts")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.LEAD
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The tenant's custom fields by key (customization.fields validates); raw inserts get {}.
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("full_name", weight="A", config="simple")
        + SearchVector("email", "phone", "job_title", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SearchableManager()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["full_name", "id"], name="contacts_contact_name_idx"),
            models.Index(fields=["owner", "id"], name="contacts_contact_owner_idx"),
            models.Index(fields=["lifecycle_stage", "full_name", "id"], name="contacts_contact_stage_idx"),
            models.Index(fields=["updated_at", "id"], name="contacts_contact_updated_idx"),
            models.Index(Lower("email"), name="contacts_contact_email_idx"),
            GinIndex(fields=["additional_emails"], name="contacts_contact_emails_gin"),
            GinIndex(fields=["search_vector"], name="contacts_contact_search_idx"),
            GinIndex(OpClass(Lower("full_name"), name="gin_trgm_ops"), name="contacts_contact_name_trgm"),
            # The search finds a part of an address ("altus" in anna@altus-group.ro).
            GinIndex(OpClass(Lower("email"), name="gin_trgm_ops"), name="contacts_contact_email_trgm"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"#{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.full_name = join_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
