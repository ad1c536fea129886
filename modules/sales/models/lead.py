from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.contacts.choices import Source
from modules.contacts.models.managers import SearchableManager
from modules.contacts.money import CURRENCY_CHOICES
from modules.sales.choices import LeadStatus


class Lead(models.Model):
    """A prospect not yet qualified: a person and the company they named, before either exists as a record.

    Conversion creates (or reuses) the company and contact and opens a deal, in one transaction;
    the lead then points at what it became.
    """

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    full_name = models.CharField(_("name"), max_length=201, editable=False)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=255, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    estimated_value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_leads"
    )
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="leads")
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The tenant's custom fields by key (customization.fields validates); raw inserts get {}.
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("full_name", "company_name", weight="A", config="simple")
        + SearchVector("email", "phone", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SearchableManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="sales_lead_status_idx"),
            models.Index(fields=["owner", "id"], name="sales_lead_owner_idx"),
            models.Index(Lower("email"), name="sales_lead_email_idx"),
            GinIndex(fields=["search_vector"], name="sales_lead_search_idx"),
            GinIndex(OpClass(Lower("full_name"), name="gin_trgm_ops"), name="sales_lead_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.company_name or self.email or f"#{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        from modules.contacts.models import join_name

        self.full_name = join_name(self.first_name, self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
