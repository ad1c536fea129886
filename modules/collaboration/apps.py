from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    """Notes, attachments and followers on customer and sales records."""

    name = "modules.collaboration"
    label = "collaboration"
    verbose_name = "Notes and attachments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from customization.events.dispatcher import register_consumer
        from modules.collaboration.consumers import consume
        from modules.collaboration.models import Attachment
        from modules.collaboration.services.attachments import delete_file_on_commit

        register_consumer("collaboration", consume)
        # Infrastructure, not domain logic: a row deleted by any path (the record's cascade
        # included) takes its stored file with it once the deletion commits.
        post_delete.connect(delete_file_on_commit, sender=Attachment, dispatch_uid="collaboration-attachment-file")
