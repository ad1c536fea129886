from django.apps import AppConfig
from django.db.models.signals import post_delete


class ServiceConfig(AppConfig):
    name = "modules.service"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        # Workflows read and set cases through their registry, never importing this module.
        from modules.collaboration.services.attachments import delete_file_on_commit
        from modules.service import workflows
        from modules.service.models import CaseAttachment

        workflows.register()
        # A case's files leave the storage once their rows' deletion commits (a deleted case
        # cascades to its messages and their files).
        post_delete.connect(delete_file_on_commit, sender=CaseAttachment, dispatch_uid="service-case-attachment-file")
