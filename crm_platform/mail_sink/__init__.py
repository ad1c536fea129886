"""The local mail sink of ``make run``: an SMTP server (aiosmtpd) that accepts every message for
every recipient and keeps it in a Maildir under ``var/mail-sink`` (``server``), and the reader the
console's mailbox page uses (``store``). Nothing it receives leaves the machine."""
