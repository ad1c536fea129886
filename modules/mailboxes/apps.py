from django.apps import AppConfig


class MailboxesConfig(AppConfig):
    name = "modules.mailboxes"
    label = "mailboxes"
    verbose_name = "Connected mailboxes"

    def ready(self) -> None:
        from django.urls import reverse

        from modules.activities.models.notification import register_notification_target
        from modules.mailboxes import data_subject, gmail, oauth, retention

        data_subject.register()
        oauth.register()
        retention.register()
        gmail.register()
        # "Your mailbox stopped syncing" opens the mailbox settings page.
        register_notification_target("mailbox", lambda _pk: reverse("mailboxes:list"))
