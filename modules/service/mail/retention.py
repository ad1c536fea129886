"""The support mailboxes' e-mail log a tenant may keep for a limited time: the received and sent
e-mail records (threading keys, senders, subjects, delivery state). The case's messages are the
conversation and stay; they follow the "closed cases' conversations" period."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from modules.privacy.registry import RetentionTarget, register_retention
from modules.service.mail.models import InboundMail, OutboundMail


def delete_before(cutoff: datetime, limit: int) -> int:
    inbound = list(
        InboundMail.objects.filter(received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    InboundMail.objects.filter(pk__in=inbound).delete()
    rest = limit - len(inbound)
    outbound = list(
        OutboundMail.objects.filter(created_at__lt=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:rest]
    )
    OutboundMail.objects.filter(pk__in=outbound).delete()
    return len(inbound) + len(outbound)


def register() -> None:
    register_retention(
        RetentionTarget(
            key="support_mail_log",
            label=_("Support e-mail log"),
            help_text=_(
                "Records of e-mails received and sent by the support addresses, counted from when they passed."
            ),
            delete_before=delete_before,
            module="service",
        )
    )
