from modules.mailboxes.models.mailbox import Mailbox, MailFolder
from modules.mailboxes.models.message import MailAttachment, MailLink, MailMessage, MailThread
from modules.mailboxes.models.settings import MailSettings

__all__ = ["MailAttachment", "MailFolder", "MailLink", "MailMessage", "MailSettings", "MailThread", "Mailbox"]
