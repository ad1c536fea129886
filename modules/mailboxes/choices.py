from django.db import models
from django.utils.translation import gettext_lazy as _


class MailboxKind(models.TextChoices):
    """How a mailbox is reached: IMAP + SMTP with a password, or a provider's API through OAuth2."""

    IMAP = "imap", _("IMAP and SMTP")
    MICROSOFT = "microsoft", _("Microsoft 365 / Outlook.com")
    GOOGLE = "google", _("Gmail")


class MailboxVisibility(models.TextChoices):
    """What colleagues of the owner see of the mailbox's messages on the records they open."""

    PRIVATE = "private", _("Private (only me)")
    SUBJECT = "subject", _("Subject and participants only")
    FULL = "full", _("Everything")


class MailboxState(models.TextChoices):
    ACTIVE = "active", _("Syncing")
    PAUSED = "paused", _("Paused")
    FAILING = "failing", _("Connection broken")


class MailSecurity(models.TextChoices):
    TLS = "tls", _("TLS (implicit)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (only inside a trusted network)")


class FolderRole(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    SENT = "sent", _("Sent")


class MessageDirection(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MessageOrigin(models.TextChoices):
    """How a message came to be stored."""

    SYNC = "sync", _("Synced from the mailbox")
    COMPOSED = "composed", _("Written in the CRM")
    LOGGED = "logged", _("Logged (forwarded, BCC or file)")


class SendState(models.TextChoices):
    """Where an outbound message written in the CRM stands (blank for every other message)."""

    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
