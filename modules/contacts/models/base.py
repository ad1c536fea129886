"""Field groups shared by the customer-facing records (companies, contacts, leads)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class PostalAddress(models.Model):
    """One postal address, kept as plain columns so lists can filter and sort by city or country."""

    street = models.CharField(_("street"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. RO."))

    class Meta:
        abstract = True


class ContactPoints(models.Model):
    """A primary e-mail and phone plus any number of additional ones."""

    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    additional_emails = ArrayField(models.EmailField(max_length=254), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    additional_phones = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    class Meta:
        abstract = True
