from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    """A free label on companies, contacts, leads and deals; names are unique regardless of case."""

    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="contacts_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name
