from django.apps import AppConfig


class MailboxesConfig(AppConfig):
    name = "modules.mailboxes"
    label = "mailboxes"
    verbose_name = "Connected mailboxes"
