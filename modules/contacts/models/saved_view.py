from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named list view: its filters, sort and columns, personal or shared with the tenant."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    # A list's key (``modules.lists.keys``): the core enum's values or a key a module registered.
    entity = models.CharField(max_length=20)
    name = models.CharField(_("name"), max_length=100)
    # The list's query string parameters, e.g. {"stage": ["12"], "owner": ["3"], "sort": "-amount"}.
    query = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    is_shared = models.BooleanField(_("shared with everyone"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "entity", "name"], name="contacts_saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
