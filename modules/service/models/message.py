from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.service.choices import CaseChannel, MessageAuthor, MessageKind


class CaseMessage(models.Model):
    """One message of a case's conversation: a public reply (the customer sees it, by e-mail or in
    the portal) or an internal note (staff only). Customers' messages come by e-mail or the portal;
    the e-mail headers are kept for threading (``message_id``, ``in_reply_to``, ``references``)."""

    case = models.ForeignKey("service.Case", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.REPLY)
    author_kind = models.CharField(_("from"), max_length=10, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="case_messages"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.AGENT)
    from_address = models.EmailField(_("from"), max_length=254, blank=True)
    to_addresses = models.JSONField(_("to"), default=list, blank=True)
    cc_addresses = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("message"), blank=True)
    # Sanitised (``modules.collaboration.sanitize``) before it is stored; never the raw HTML.
    body_html = models.TextField(_("message (HTML)"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    # Where a customer's quoted history begins in the text and in the HTML (pages fold it away).
    quote_start = models.PositiveIntegerField(null=True, blank=True)
    html_quote_start = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        indexes = [
            models.Index(fields=["case", "created_at", "id"], name="service_message_case_idx"),
            models.Index(fields=["message_id"], name="service_message_mid_idx", condition=~models.Q(message_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.subject or self.body_text[:40]}"

    @property
    def is_public(self) -> bool:
        return self.kind == MessageKind.REPLY


class CaseAttachment(models.Model):
    """A file sent with a case message (by e-mail, the portal or an agent), kept in the private
    attachment storage (``modules.collaboration.models.attachment.attachment_storage``)."""

    message = models.ForeignKey("service.CaseMessage", on_delete=models.CASCADE, related_name="attachments")
    storage_key = models.CharField(max_length=255, unique=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return self.name
