from modules.mailboxes.models.mailbox import Mailbox, MailFolder
from modules.mailboxes.models.message import MailAttachment, MailLink, MailMessage, MailThread

__all__ = ["MailAttachment", "MailFolder", "MailLink", "MailMessage", "MailThread", "Mailbox"]
