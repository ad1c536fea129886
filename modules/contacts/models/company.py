from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models.base import ContactPoints, PostalAddress
from modules.contacts.models.managers import SearchableManager


class Company(ContactPoints, PostalAddress):
    """An organisation we sell to or serve (an account). Contacts, deals and activities hang off it."""

    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), max_length=255, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_companies"
    )
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="companies")
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
        expression=SearchVector("name", weight="A", config="simple")
        + SearchVector("email", "website", "city", weight="B", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SearchableManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["name", "id"], name="contacts_company_name_idx"),
            models.Index(fields=["owner", "id"], name="contacts_company_owner_idx"),
            models.Index(Lower("email"), name="contacts_company_email_idx"),
            GinIndex(fields=["search_vector"], name="contacts_company_search_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="contacts_company_name_trgm"),
            # The search finds a part of an address ("altus" in altus-group.ro).
            GinIndex(OpClass(Lower("email"), name="gin_trgm_ops"), name="contacts_company_email_trgm"),
            GinIndex(OpClass(Lower("website"), name="gin_trgm_ops"), name="contacts_company_website_trgm"),
        ]

    def __str__(self) -> str:
        return self.name
