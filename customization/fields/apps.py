from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CustomFieldsConfig(AppConfig):
    name = "customization.fields"
    label = "custom_fields"
    verbose_name = "Custom fields"

    def ready(self) -> None:
        # A saved or deleted definition retires the tenant's cached definitions.
        from customization.fields import cache

        model = self.get_model("CustomFieldDefinition")
        post_save.connect(cache.invalidate, sender=model, dispatch_uid="definitions-cache-save")
        post_delete.connect(cache.invalidate, sender=model, dispatch_uid="definitions-cache-delete")

        # A restored schema holds an older definitions version: move it on (``versions``).
        from customization.fields.versions import move_past_restore
        from tenants.signals import tenant_restored

        tenant_restored.connect(move_past_restore, dispatch_uid="definitions-version-after-restore")
