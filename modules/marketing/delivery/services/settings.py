"""The workspace's delivery settings: the only writer, auditing every change (never the secrets)."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.encryption import encrypt
from identity.models import User
from identity.services.audit import audit
from modules.marketing.delivery.models import DeliverySettings
from modules.marketing.delivery.services import limits


def update_delivery_settings(
    *,
    by: User | None,
    messages_per_minute: int,
    max_concurrency: int,
    postmark_webhook_user: str,
    postmark_webhook_password: str = "",
    mailgun_signing_key: str = "",
) -> DeliverySettings:
    """Blank secrets keep the stored ones."""
    with transaction.atomic():
        config = DeliverySettings.objects.select_for_update().first() or DeliverySettings()
        config.messages_per_minute = messages_per_minute
        config.max_concurrency = max_concurrency
        config.postmark_webhook_user = postmark_webhook_user.strip()
        changed_secrets = []
        if postmark_webhook_password:
            config.postmark_webhook_password = encrypt(postmark_webhook_password)
            changed_secrets.append("postmark_webhook_password")
        if mailgun_signing_key:
            config.mailgun_signing_key = encrypt(mailgun_signing_key.strip())
            changed_secrets.append("mailgun_signing_key")
        config.full_clean()
        config.save()
        audit(
            "marketing_delivery.settings",
            _("Marketing delivery settings changed"),
            by=by,
            details={
                "messages_per_minute": messages_per_minute,
                "max_concurrency": max_concurrency,
                "secrets_changed": changed_secrets,
            },
        )
        schema = str(getattr(connection, "schema_name", ""))
        transaction.on_commit(lambda: limits.forget_limits(schema))
    return config
